/**
 * The house (issue 19): the layering rules of test/house/layers.rules.ts, checked by
 * dependency-cruiser over src/ and views/ (TypeScript imports as written, `import type` included),
 * and no source file under src/ past maxSourceLines. A failure lists each violation as
 * `rule: from → to`; fix the import, or (with the reason) list it in knownViolations.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import { beforeAll, describe, expect, it } from 'vitest';
import { knownViolations, maxSourceLines, rules } from './layers.rules.ts';

const root = join(import.meta.dirname, '..', '..');
const fixture = join(import.meta.dirname, '..', 'fixtures', 'house');

/** Cruises `dirs` under `baseDir` with `ruleSet`; every local import resolved the way tsc does (.ts/.tsx written out). */
async function cruiseWith(baseDir: string, dirs: string[], ruleSet: IForbiddenRuleType[]): Promise<ICruiseResult> {
  const r = await cruise(
    dirs,
    {
      baseDir,
      validate: true,
      ruleSet: { forbidden: ruleSet },
      // `import type` and type-only re-exports are dependencies too (reported as 'type-only').
      tsPreCompilationDeps: true,
      doNotFollow: { path: 'node_modules' },
    },
    { extensions: ['.ts', '.tsx', '.js', '.mjs'], conditionNames: ['import', 'node', 'default', 'types'], exportsFields: ['exports'] },
    { tsConfig: { fileName: join(root, 'tsconfig.json') } },
  );
  if (typeof r.output === 'string') throw new Error('dependency-cruiser answered text, expected a result object');
  return r.output;
}

/** Each violation as `rule: from → to` (a cycle as its whole path). */
function violationsOf(result: ICruiseResult): string[] {
  return result.summary.violations.map((v) => {
    const path = v.cycle?.length ? [v.from, ...v.cycle.map((c) => c.name)].join(' → ') : `${v.from} → ${v.to}`;
    return `${v.rule.name}: ${path}`;
  });
}

const key = (rule: string, from: string, to: string) => `${rule}: ${from} → ${to}`;

describe('layers of the house', () => {
  let result: ICruiseResult;
  beforeAll(async () => {
    result = await cruiseWith(root, ['src', 'views'], rules);
  }, 60_000);

  it('has no import that breaks a layering rule, besides the known ones', () => {
    const known = new Set(knownViolations.map((k) => key(k.rule, k.from, k.to)));
    const found = violationsOf(result).filter((v) => !known.has(v));
    expect(found, 'fix these imports (or list one in knownViolations of test/house/layers.rules.ts, with the reason)').toEqual([]);
  });

  it('lists no known violation that is gone (the list only shrinks)', () => {
    const found = new Set(violationsOf(result));
    const gone = knownViolations.map((k) => key(k.rule, k.from, k.to)).filter((k) => !found.has(k));
    expect(gone, 'these no longer happen: remove them from knownViolations').toEqual([]);
  });

  it('resolves every import (an unresolved one would pass every rule unseen)', () => {
    const unresolved = result.modules
      .filter((m) => /^(src|views)\//.test(m.source))
      .flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve).map((d) => `${m.source} → ${d.module}`));
    expect(unresolved).toEqual([]);
  });

  it('saw the whole tree', () => {
    const local = result.modules.filter((m) => /^(src|views)\//.test(m.source));
    const files = [...sources(join(root, 'src')), ...sources(join(root, 'views'))];
    expect(local.length).toBeGreaterThan(200);
    expect(local.length).toBe(files.length);
    expect(rules.length).toBeGreaterThanOrEqual(8);
  });

  it('lets views import only the date codec as a value, and the codec stays a leaf that imports nothing', () => {
    const viewValues = knownViolations.filter((k) => k.rule === 'views-import-types-only').map((k) => k.to);
    expect(new Set(viewValues)).toEqual(new Set(['src/market/days.ts']));
    // src/market/days.ts re-exports the codec written once in the engine (which the engine needs too
    // and may import nothing from outside its folder): it reaches that module and nothing else.
    const depsOf = (source: string) => result.modules.find((m) => m.source === source)?.dependencies.map((d) => d.resolved);
    expect(depsOf('src/market/days.ts')).toEqual(['src/engine/days.ts']);
    expect(depsOf('src/engine/days.ts')).toEqual([]);
  });

  it('keeps every source file under src/ at most maxSourceLines lines', () => {
    const long = [...sources(join(root, 'src'))]
      .map((f) => [relative(root, f).split('\\').join('/'), readFileSync(f, 'utf8').split('\n').length - 1] as const)
      .filter(([, n]) => n > maxSourceLines)
      .map(([f, n]) => `${f}: ${n} lines`);
    expect(long, `split these into rooms of at most ${maxSourceLines} lines`).toEqual([]);
  });
});

describe('the rules catch what they are meant to (a bad import graph in test/fixtures/house)', () => {
  let found: string[];
  beforeAll(async () => {
    found = violationsOf(await cruiseWith(fixture, ['src', 'views'], rules));
  }, 60_000);

  it('finds each planted violation', () => {
    expect(found).toEqual(expect.arrayContaining([
      'no-circular: src/shop/a.ts → src/shop/b.ts → src/shop/a.ts',
      key('views-import-types-only', 'views/bad.ts', 'src/shop/shop.service.ts'),
      key('only-pages-import-views', 'src/shop/a.ts', 'views/good.ts'),
      key('engine-self-contained', 'src/engine/engine.ts', 'src/shop/b.ts'),
      key('engine-self-contained', 'src/engine/bundle.ts', 'src/binary/workers.ts'),
      key('binary-files-are-a-floor', 'src/binary/files.ts', 'src/shop/b.ts'),
      key('runs-know-no-feature', 'src/runs/pool.ts', 'src/market/store.ts'),
      key('runs-auth-types-only', 'src/runs/pool.ts', 'src/auth/access.ts'),
      key('routes-never-import-repositories', 'src/shop/shop.api.ts', 'src/shop/shop.repository.ts'),
      key('only-services-call-repositories', 'src/shop/shop.api.ts', 'src/shop/shop.repository.ts'),
      key('only-services-call-repositories', 'src/shop/b.ts', 'src/shop/shop.repository.ts'),
    ]));
  });

  it('lets through what is allowed: type-only imports into views, pages importing views, services calling repositories', () => {
    const allowed = [
      key('views-import-types-only', 'views/good.ts', 'src/shop/shop.service.ts'),
      key('only-pages-import-views', 'src/shop/shop.pages.tsx', 'views/good.ts'),
      key('only-services-call-repositories', 'src/shop/shop.service.ts', 'src/shop/shop.repository.ts'),
      key('runs-auth-types-only', 'src/runs/queue.ts', 'src/auth/access.ts'),
      key('only-services-call-repositories', 'src/runs/queue.ts', 'src/shop/shop.repository.ts'),
      key('engine-self-contained', 'src/engine/bundle.ts', 'src/binary/files.ts'),
    ];
    expect(found.filter((v) => allowed.includes(v))).toEqual([]);
    expect(found).toHaveLength(11);
  });
});

function* sources(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* sources(p);
    else if (/\.(ts|tsx|mjs|js)$/.test(e.name)) yield p;
  }
}
