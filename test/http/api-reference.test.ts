import { describe, expect, it } from 'vitest';
import { referenceModel } from '../../src/http/api-reference.ts';
import { sampleApi } from '../helpers/sample-api.ts';

describe('API reference model', () => {
  const model = referenceModel(sampleApi().document(), 'http://127.0.0.1:3000');
  const all = model.tags.flatMap((t) => t.endpoints);
  const post = all.find((e) => e.method === 'POST' && e.path === '/api/v1/backtests')!;
  const get = all.find((e) => e.method === 'GET' && e.path === '/api/v1/backtests/{id}')!;

  it('lists every operation, grouped by tag, with full paths', () => {
    expect(model.tags.map((t) => t.tag)).toEqual(['backtests', 'meta']);
    expect(all.map((e) => `${e.method} ${e.path}`).sort()).toEqual(['GET /api/v1/backtests/{id}', 'GET /api/v1/openapi.json', 'POST /api/v1/backtests']);
    expect(model.base).toBe('http://127.0.0.1:3000/api/v1');
  });

  it('spells out body fields with types, bounds, requiredness and nested fields', () => {
    expect(post.body?.contentType).toBe('application/json');
    const byName = Object.fromEntries(post.body!.fields.map((f) => [f.name, f]));
    expect(byName.strategy_id).toMatchObject({ required: true, type: 'integer ≥ 1', description: 'A strategy you own' });
    expect(byName.start.type).toBe('string (date)');
    expect(byName['universe.index']).toMatchObject({ type: '"csi300" | "csi500"', required: true });
    expect(byName.fee_bps).toMatchObject({ required: false, type: 'number ≥ 0, ≤ 100' });
    expect(post.responses).toEqual([{ status: '202', description: 'Queued', type: 'Backtest' }]);
  });

  it('writes a curl example with the token, a JSON body of the required fields and path values filled in', () => {
    expect(post.curl).toBe(
      [
        `curl -s -X POST 'http://127.0.0.1:3000/api/v1/backtests'`,
        `  -H "Authorization: Bearer $TOKEN"`,
        `  -H 'Content-Type: application/json'`,
        `  -d '{"strategy_id":7,"start":"2021-01-04","end":"2023-12-29","universe":{"index":"csi300"}}'`,
      ].join(' \\\n'),
    );
    expect(get.params).toEqual([{ name: 'id', where: 'path', required: true, type: 'integer ≥ 1', description: 'Backtest id' }]);
    expect(get.curl.split(' \\\n')[0]).toBe(`curl -s 'http://127.0.0.1:3000/api/v1/backtests/42'`);
  });
});
