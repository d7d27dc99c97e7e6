import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { datasets, nameChanges, tushareFields, type DatasetDef } from '../../src/market/datasets.ts';
import {
  dayIndex, demoAdjFactors, demoCalendarRows, demoDailyBars, demoDailyBasic, demoIndexDaily, demoLimitPrices, demoStocks,
  demoSuspensions, generateDemoMarket, type DemoMarket, type DemoParams,
} from '../../src/market/demo/generator.ts';
import { stPrefix } from '../../src/market/st-periods.ts';
import { INT_NULL, makeBatch, type Batch } from '../../src/market/store/batch.ts';
import { concatBatches } from '../../src/market/store/concat.ts';

/**
 * A local HTTP server speaking the Tushare protocol (POST {api_name, token, params, fields} →
 * {code, msg, data: {fields, items, has_more}}), answering from the demo market. Faults can be
 * queued to exercise the client: quota answers, a bad token, no permission, malformed payloads,
 * slow answers. Used by the market tests, the scheduler's tests and the benchmark.
 */
export type Fault =
  | { kind: 'quota' }
  | { kind: 'bad_token' }
  | { kind: 'no_permission' }
  | { kind: 'malformed'; body?: string }
  | { kind: 'bad_row' }
  | { kind: 'http_500' }
  | { kind: 'delay'; ms: number };

export interface FakeTushare {
  url: string;
  market: DemoMarket;
  /** Every request received: api_name and params. */
  calls: { apiName: string; params: Record<string, unknown> }[];
  /** Queues faults; each answers one request (of `apiName` when given) instead of the data. */
  inject(fault: Fault, options?: { times?: number; apiName?: string }): void;
  /** Serialises these answers ahead of the requests (with cachePages), so a benchmark times only the client. */
  warm(apiName: string, params: readonly Record<string, unknown>[]): void;
  close(): Promise<void>;
}

export const FAKE_TOKEN = 'fake-token';

export async function startFakeTushare(options: {
  params: DemoParams;
  token?: string;
  market?: DemoMarket;
  port?: number;
  /** Keep each answer's JSON text and send it again for the same request (the data never changes). */
  cachePages?: boolean;
}): Promise<FakeTushare> {
  const market = options.market ?? generateDemoMarket(options.params);
  const token = options.token ?? FAKE_TOKEN;
  const calls: FakeTushare['calls'] = [];
  const faults: { fault: Fault; apiName?: string }[] = [];
  // Serialised answers by request (cachePages), kept as UTF-8 bytes so a repeat costs no encoding:
  // the benchmark measures our client and store, not the fake (which shares the machine's cores).
  const pages = new Map<string, Buffer>();

  const keyOf = (apiName: string, params: Record<string, unknown>) =>
    `${apiName}|${Object.keys(params).sort().map((k) => `${k}=${String(params[k])}`).join('&')}`;
  /** The JSON text of a successful answer (null: unknown endpoint). */
  const answerText = (apiName: string, params: Record<string, unknown>, badRow = false): string | Buffer | null => {
    const key = !badRow && options.cachePages ? keyOf(apiName, params) : null;
    const cached = key === null ? undefined : pages.get(key);
    if (cached !== undefined) return cached;
    const table = query(market, apiName, params);
    if (!table) return null;
    const offset = Number(params.offset ?? 0);
    const limit = Number(params.limit ?? 6000);
    const page = table.items.slice(offset, offset + limit);
    if (badRow && page.length) page[0] = `[${table.fields.map(() => '"not-a-number"').join(',')}]`;
    const text = `{"code":0,"msg":"","data":{"fields":${JSON.stringify(table.fields)},"items":[${page.join(',')}],"has_more":${offset + limit < table.items.length}}}`;
    if (key === null) return text;
    const bytes = Buffer.from(text, 'utf8');
    pages.set(key, bytes);
    return bytes;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: { api_name?: string; token?: string; params?: Record<string, unknown>; fields?: string };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(res, { code: -1, msg: '请求格式错误', data: null });
      }
      const apiName = String(body.api_name ?? '');
      const params = body.params ?? {};
      calls.push({ apiName, params });
      const at = faults.findIndex((f) => !f.apiName || f.apiName === apiName);
      const fault = at >= 0 ? faults.splice(at, 1)[0].fault : null;
      const answer = () => {
        if (fault?.kind === 'quota') return send(res, { code: 40203, msg: `抱歉，您每分钟最多访问该接口500次`, data: null });
        if (fault?.kind === 'no_permission') return send(res, { code: 40203, msg: '抱歉，您没有访问该接口的权限', data: null });
        if (fault?.kind === 'bad_token' || body.token !== token) return send(res, { code: 40101, msg: '您的token不对，请确认。', data: null });
        if (fault?.kind === 'malformed') return sendRaw(res, 200, fault.body ?? '{"code":0,"msg":"","data":{"fields":"oops"}}');
        if (fault?.kind === 'http_500') return sendRaw(res, 500, 'upstream error');
        try {
          const text = answerText(apiName, params, fault?.kind === 'bad_row');
          if (text === null) return send(res, { code: 40101, msg: `接口名错误: ${apiName}`, data: null });
          sendRaw(res, 200, text);
        } catch (err) {
          send(res, { code: 40001, msg: `参数错误: ${(err as Error).message}`, data: null });
        }
      };
      if (fault?.kind === 'delay') setTimeout(answer, fault.ms);
      else answer();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    market,
    calls,
    inject(fault, o = {}) {
      for (let i = 0; i < (o.times ?? 1); i++) faults.push({ fault, apiName: o.apiName });
    },
    warm(apiName, list) {
      for (const params of list) answerText(apiName, params);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendRaw(res: import('node:http').ServerResponse, status: number, text: string | Buffer) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function send(res: import('node:http').ServerResponse, body: unknown) {
  sendRaw(res, 200, JSON.stringify(body));
}

const num = (v: unknown) => (v === undefined || v === null || v === '' ? null : Number(v));

function query(m: DemoMarket, apiName: string, params: Record<string, unknown>): { fields: string[]; items: string[] } | null {
  const def = apiName === nameChanges.apiName ? nameChanges : Object.values(datasets).find((d) => d.apiName === apiName);
  if (!def) return null;
  const codes = params.ts_code ? new Set(String(params.ts_code).split(',')) : undefined;
  const tradeDate = num(params.trade_date);
  const startDate = num(params.start_date) ?? 0;
  const endDate = num(params.end_date) ?? 99999999;
  const days = (): number[] => {
    if (tradeDate !== null) {
      const d = dayIndex(m, tradeDate);
      return d < 0 ? [] : [d];
    }
    const out: number[] = [];
    for (let d = 0; d < m.dates.length; d++) if (m.dates[d] >= startDate && m.dates[d] <= endDate) out.push(d);
    return out;
  };
  const perDay = (make: (m: DemoMarket, d: number, codes?: ReadonlySet<string>) => Batch) => {
    const ds = days();
    return ds.length ? concatBatches(ds.map((d) => make(m, d, codes))) : null;
  };
  let batch: Batch | null;
  switch (apiName) {
    case 'stock_basic':
      batch = demoStocks(m, params.list_status ? String(params.list_status) : 'L');
      break;
    case 'trade_cal': {
      batch = demoCalendarRows(m, [String(params.exchange || 'SSE')]);
      break;
    }
    case 'daily':
      batch = perDay(demoDailyBars);
      break;
    case 'adj_factor':
      batch = perDay(demoAdjFactors);
      break;
    case 'daily_basic':
      batch = perDay(demoDailyBasic);
      break;
    case 'stk_limit':
      batch = perDay(demoLimitPrices);
      break;
    case 'suspend_d':
      batch = perDay(demoSuspensions);
      break;
    case 'namechange':
      batch = demoNameHistory(m, codes);
      break;
    case 'index_daily': {
      const ds = days();
      batch = codes && !codes.has('000300.SH') ? null : ds.length ? demoIndexDaily(m, ds[0], ds[ds.length - 1]) : null;
      break;
    }
    default:
      return null;
  }
  const fields = tushareFields(def);
  return { fields, items: batch ? toItems(def, batch, fields, apiName === 'trade_cal' ? [startDate, endDate] : null) : [] };
}

/**
 * namechange rows for the demo market, shaped like Tushare's: per stock its plain name from listing,
 * then for a stock with an ST period the tagged names (every other such stock goes ST → *ST halfway,
 * one period in two names), then the plain name again when the tag was lifted. End dates are the
 * last trading day with the name; the current name has none. The first ST stock's tagged record
 * comes twice (namechange repeats a change announced twice). Rows in no particular order, as the
 * real endpoint's are not sorted by stock and date.
 */
function demoNameHistory(m: DemoMarket, codes?: ReadonlySet<string>): Batch {
  const rows: [string, string, number, number | null][] = [];
  const day = (idx: number) => m.dates[idx];
  let n = 0;
  for (const s of m.stocks) {
    if (codes && !codes.has(s.tsCode)) continue;
    const plain = s.name.replace(stPrefix, '');
    const hasSt = s.stStart >= 0 && s.stStart < s.endIdx;
    if (!hasSt) {
      rows.push([s.tsCode, plain, s.listDate, null]);
      continue;
    }
    if (s.stStart > 0) rows.push([s.tsCode, plain, s.listDate, day(s.stStart - 1)]);
    const lifted = s.stEnd < m.dates.length;
    const tagEnd = lifted ? day(s.stEnd - 1) : null;
    const mid = Math.floor((s.stStart + (lifted ? s.stEnd : m.dates.length)) / 2);
    if (n % 2 === 1 && mid > s.stStart) {
      rows.push([s.tsCode, `ST${plain}`, day(s.stStart), day(mid - 1)]);
      rows.push([s.tsCode, `*ST${plain}`, day(mid), tagEnd]);
    } else {
      rows.push([s.tsCode, `ST${plain}`, day(s.stStart), tagEnd]);
      if (n === 0) rows.push([s.tsCode, `ST${plain}`, day(s.stStart), tagEnd]);
    }
    if (lifted) rows.push([s.tsCode, plain, day(s.stEnd), null]);
    n++;
  }
  rows.reverse();
  const b = makeBatch(nameChanges, rows.length);
  const [code, name, start, end] = b.columns as [(string | null)[], (string | null)[], Int32Array, Int32Array];
  rows.forEach(([c, nm, st, en], i) => {
    code[i] = c;
    name[i] = nm;
    start[i] = st;
    end[i] = en ?? INT_NULL;
  });
  return b;
}

/**
 * Batch → Tushare rows as JSON text, one string per row (dates back to 'YYYYMMDD' strings, nulls as
 * null). Written directly, not through row arrays and JSON.stringify: the fake must cost less than
 * the client it serves.
 */
function toItems(def: DatasetDef, b: Batch, fields: string[], calRange: [number, number] | null): string[] {
  const ks = fields.map((f) => def.columns.findIndex((c) => c.name === f));
  const kinds = ks.map((k) => def.columns[k].kind);
  const items: string[] = [];
  for (let r = 0; r < b.length; r++) {
    if (calRange) {
      const d = (b.columns[1] as Int32Array)[r];
      if (d < calRange[0] || d > calRange[1]) continue;
    }
    let row = '[';
    for (let j = 0; j < ks.length; j++) {
      if (j) row += ',';
      const v = b.columns[ks[j]][r];
      switch (kinds[j]) {
        case 'num':
          row += Number.isFinite(v) ? String(v) : 'null';
          break;
        case 'date':
          row += v === INT_NULL ? 'null' : `"${v}"`;
          break;
        case 'int':
          row += v === INT_NULL ? 'null' : String(v);
          break;
        default:
          row += v === null ? 'null' : JSON.stringify(v);
      }
    }
    items.push(row + ']');
  }
  return items;
}
