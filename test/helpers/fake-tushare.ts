import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dayIndex, generateDemoMarket, type DemoMarket, type DemoParams } from '../../src/market/demo/generator.ts';
import {
  demoAdjFactors, demoCalendarRows, demoDailyBars, demoDailyBasic, demoIndexDaily, demoLimitPrices, demoStocks, demoSuspensions,
} from '../../src/market/demo/rows.ts';
import { stPrefix } from '../../src/market/st-periods.ts';
import { INT_NULL, type Batch } from '../../src/market/store/batch.ts';
import { concatBatches } from '../../src/market/store/concat.ts';

/**
 * A local HTTP server speaking the Tushare protocol (POST {api_name, token, params, fields} →
 * {code, msg, data: {fields, items, has_more}}), answering from the demo market. Faults can be
 * queued to exercise the client: quota answers, a bad token, no permission, malformed payloads,
 * slow answers. Used by the market tests, the scheduler's tests and the benchmark.
 *
 * Its endpoints, their fields and units come from recorded sample responses in
 * test/fixtures/tushare/*.json (written from the Tushare documentation), never from src: the
 * demo generator supplies values, and each documented field is looked up by its documented name
 * and converted to its documented unit here. A request for a field Tushare does not document is
 * answered with an error (stricter than Tushare, so a misspelt field in src fails a sync test).
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
  // Each page remembers the fields it answered; a request for other fields builds its own.
  const pages = new Map<string, { fields: string; bytes: Buffer }>();

  const keyOf = (apiName: string, params: Record<string, unknown>) =>
    `${apiName}|${Object.keys(params).sort().map((k) => `${k}=${String(params[k])}`).join('&')}`;
  /** The JSON text of a successful answer (null: unknown endpoint); every documented field when `fields` is not given. */
  const answerText = (apiName: string, params: Record<string, unknown>, fields: string | undefined, badRow = false): string | Buffer | null => {
    const key = !badRow && options.cachePages ? keyOf(apiName, params) : null;
    const wanted = fields || tushareSamples.get(apiName)?.response.data.fields.join(',') || '';
    const cached = key === null ? undefined : pages.get(key);
    if (cached !== undefined && cached.fields === wanted) return cached.bytes;
    const table = query(market, apiName, params, wanted);
    if (!table) return null;
    const offset = Number(params.offset ?? 0);
    const limit = Number(params.limit ?? 6000);
    const page = table.items.slice(offset, offset + limit);
    if (badRow && page.length) page[0] = `[${table.fields.map(() => '"not-a-number"').join(',')}]`;
    const text = `{"code":0,"msg":"","data":{"fields":${JSON.stringify(table.fields)},"items":[${page.join(',')}],"has_more":${offset + limit < table.items.length}}}`;
    if (key === null) return text;
    const bytes = Buffer.from(text, 'utf8');
    pages.set(key, { fields: wanted, bytes });
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
          const text = answerText(apiName, params, typeof body.fields === 'string' ? body.fields : undefined, fault?.kind === 'bad_row');
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
      for (const params of list) answerText(apiName, params, undefined);
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

/** A recorded sample response: the endpoint's documented fields (in Tushare's order) and their units. */
interface Sample {
  api_name: string;
  units: Record<string, string>;
  response: { data: { fields: string[]; items: unknown[][] } };
}

const fixturesDir = new URL('../fixtures/tushare/', import.meta.url);
/** The samples by api_name, read once. */
export const tushareSamples: ReadonlyMap<string, Sample> = new Map(
  readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const sample = JSON.parse(readFileSync(new URL(f, fixturesDir), 'utf8')) as Sample;
      return [sample.api_name, sample] as const;
    }),
);

/**
 * The units the demo generator's batches carry each quantity in (as generator.ts computes them:
 * daily `vol` is lots and `amount` lots × 100 × price / 1000; daily_basic shares and market values
 * are divided by 1e4). Anything not listed is a plain number already in the documented unit.
 */
const demoUnits: Record<string, Record<string, string>> = {
  daily: { vol: 'lots', amount: 'thousand CNY' },
  index_daily: { vol: 'lots', amount: 'thousand CNY' },
  daily_basic: { total_share: '10k shares', float_share: '10k shares', free_share: '10k shares', total_mv: '10k CNY', circ_mv: '10k CNY' },
};
/** Each unit in base units (shares or CNY). */
const unitSize: Record<string, number> = { shares: 1, lots: 100, '10k shares': 1e4, CNY: 1, 'thousand CNY': 1e3, '10k CNY': 1e4 };

/** The factor from the demo's unit of a field to its documented unit (1 when they agree). */
function unitFactor(apiName: string, field: string, documented: string | undefined): number {
  const demo = demoUnits[apiName]?.[field];
  if (!demo || !documented || demo === documented) return 1;
  const from = unitSize[demo];
  const to = unitSize[documented];
  if (from === undefined || to === undefined) throw new Error(`fake Tushare: no conversion from ${demo} to ${documented} (${apiName}.${field})`);
  return from / to;
}

/** Fields Tushare documents that the demo market has no value for: what the fake answers instead. */
const extraFields: Record<string, Record<string, (b: Batch, r: number) => string | number | null>> = {
  stock_basic: {
    fullname: (b, r) => `${String(valueOf(b, 'name', r) ?? '').replace(stPrefix, '')}股份有限公司`,
    enname: () => null,
    cnspell: () => null,
    curr_type: () => 'CNY',
  },
};

function valueOf(b: Batch, field: string, r: number): unknown {
  const k = b.def.columns.findIndex((c) => c.name === field);
  return k < 0 ? undefined : b.columns[k][r];
}

function query(m: DemoMarket, apiName: string, params: Record<string, unknown>, requested: string | undefined): { fields: string[]; items: string[] } | null {
  const sample = tushareSamples.get(apiName);
  if (!sample) return null;
  const documented = sample.response.data.fields;
  // Tushare answers the requested fields (all of them when none are named), in its own order.
  const asked = requested ? requested.split(',').map((f) => f.trim()).filter(Boolean) : documented;
  const unknown = asked.filter((f) => !documented.includes(f));
  if (unknown.length) throw new Error(`fields not documented for ${apiName}: ${unknown.join(', ')}`);
  const fields = documented.filter((f) => asked.includes(f));
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
      return { fields, items: demoNameHistory(m, fields, codes) };
    case 'index_daily': {
      const ds = days();
      batch = codes && !codes.has('000300.SH') ? null : ds.length ? demoIndexDaily(m, ds[0], ds[ds.length - 1]) : null;
      break;
    }
    default:
      return null;
  }
  return { fields, items: batch ? toItems(apiName, sample, batch, fields, apiName === 'trade_cal' ? [startDate, endDate] : null) : [] };
}

/**
 * namechange rows for the demo market, shaped like Tushare's: per stock its plain name from listing,
 * then for a stock with an ST period the tagged names (every other such stock goes ST → *ST halfway,
 * one period in two names), then the plain name again when the tag was lifted. End dates are the
 * last trading day with the name; the current name has none. The first ST stock's tagged record
 * comes twice (namechange repeats a change announced twice). Rows in no particular order, as the
 * real endpoint's are not sorted by stock and date.
 */
function demoNameHistory(m: DemoMarket, fields: readonly string[], codes?: ReadonlySet<string>): string[] {
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
  const date = (d: number | null) => (d === null ? null : String(d));
  const values = ([code, name, start, end]: (typeof rows)[number]): Record<string, string | null> => ({
    ts_code: code, name, start_date: date(start), end_date: date(end), ann_date: date(start), change_reason: name.includes('ST') ? name.slice(0, name.indexOf('ST') + 2) : '撤销ST',
  });
  return rows.map((r) => {
    const v = values(r);
    return JSON.stringify(fields.map((f) => v[f] ?? null));
  });
}

/**
 * Demo batch → Tushare rows as JSON text, one string per row, each documented field looked up by its
 * documented name and scaled to its documented unit (dates back to 'YYYYMMDD' strings, nulls as
 * null). Written directly, not through row arrays and JSON.stringify: the fake must cost less than
 * the client it serves. The first row of bars and indicators is checked against identities that hold
 * in the documented units, so a unit the generator changed fails loudly here.
 */
function toItems(apiName: string, sample: Sample, b: Batch, fields: string[], calRange: [number, number] | null): string[] {
  const ks = fields.map((f) => b.def.columns.findIndex((c) => c.name === f));
  const extras = fields.map((f, j) => (ks[j] < 0 ? extraFields[apiName]?.[f] : undefined));
  const missing = fields.filter((_, j) => ks[j] < 0 && !extras[j]);
  if (missing.length) throw new Error(`fake Tushare: the demo market has no value for documented ${apiName} fields ${missing.join(', ')}`);
  const kinds = ks.map((k) => (k < 0 ? 'extra' : b.def.columns[k].kind));
  const factors = fields.map((f) => unitFactor(apiName, f, sample.units[f]));
  const calDate = b.def.columns.findIndex((c) => c.name === 'cal_date');
  if (b.length) checkUnits(apiName, sample, b);
  const items: string[] = [];
  for (let r = 0; r < b.length; r++) {
    if (calRange) {
      const d = (b.columns[calDate] as Int32Array)[r];
      if (d < calRange[0] || d > calRange[1]) continue;
    }
    let row = '[';
    for (let j = 0; j < ks.length; j++) {
      if (j) row += ',';
      if (ks[j] < 0) {
        row += JSON.stringify(extras[j]!(b, r));
        continue;
      }
      const v = b.columns[ks[j]][r];
      switch (kinds[j]) {
        case 'num':
          row += Number.isFinite(v) ? String(factors[j] === 1 ? v : (v as number) * factors[j]) : 'null';
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

/**
 * Identities of the documented units, checked on a batch's first row: a day's average price
 * (amount in thousand CNY × 1000 / (vol in lots × 100)) lies between its low and high; market value
 * (10k CNY) over total shares (10k shares) is the close.
 */
function checkUnits(apiName: string, sample: Sample, b: Batch): void {
  const at = (f: string) => Number(valueOf(b, f, 0)) * unitFactor(apiName, f, sample.units[f]) * (unitSize[sample.units[f]] ?? 1);
  if (apiName === 'daily') {
    const avg = at('amount') / at('vol');
    const [low, high] = [Number(valueOf(b, 'low', 0)), Number(valueOf(b, 'high', 0))];
    if (!(avg >= low * 0.99 && avg <= high * 1.01)) throw new Error(`fake Tushare: daily amount/vol gives an average price ${avg} outside [${low}, ${high}]: a unit is off`);
  }
  if (apiName === 'daily_basic') {
    const close = Number(valueOf(b, 'close', 0));
    const perShare = at('total_mv') / at('total_share');
    if (Math.abs(perShare / close - 1) > 0.01) throw new Error(`fake Tushare: daily_basic total_mv/total_share gives ${perShare}, close is ${close}: a unit is off`);
  }
}
