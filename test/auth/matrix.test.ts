/**
 * The authorization matrix: every route the real app registers, called as anonymous, viewer,
 * analyst (owner and non-owner where the route touches an owned object) and admin with API tokens,
 * and as viewer, analyst and admin signed in with a browser session sending its CSRF token, plus an
 * admin session that leaves the token out (every state-changing request refused with 403), with
 * the status each must get. A route without an entry fails the test; so does an entry without a route.
 *
 * Adding a route = adding one line below: `'METHOD /path/:param': need(minRole, okStatus, { … })`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleAtLeast, type Role } from '../../src/auth/access.ts';
import { createToken } from '../../src/auth/tokens.service.ts';
import { createUser, systemActor } from '../../src/auth/users.service.ts';
import { strategyTemplate } from '../../src/strategies/template.ts';
import { factorTemplate } from '../../src/factors/factor.types.ts';
import { insertFactor } from '../../src/factors/user-factors.repository.ts';
import { computeBuiltinFactor } from '../../src/factors/factors.service.ts';
import { insertAnalysis } from '../../src/factors/analysis/analyses.repository.ts';
import { makeTestApp, type TestApp } from '../helpers/app.ts';
import { bearer, Browser, makeUser, testPassword } from '../helpers/accounts.ts';
import { insertTask } from '../../src/scheduler/tasks.repository.ts';
import { insertBacktestFixture, insertStrategyFixture, smallDemo } from '../helpers/backtests.ts';
import { insertSweepFixture } from '../helpers/sweeps.ts';
import { seedDemoMarket } from '../../src/market/demo/seed.ts';
import { insertChannel, insertRule } from '../../src/alerts/alerts.repository.ts';

type TokenCaller = 'anonymous' | 'viewer' | 'analyst' | 'analyst (non-owner)' | 'admin';
type SessionCaller = 'viewer (session)' | 'analyst (session)' | 'admin (session)' | 'admin (session, no CSRF)';
type Caller = TokenCaller | SessionCaller;
interface Fixture {
  t: TestApp;
  users: Record<'viewer' | 'analyst' | 'analyst2' | 'admin', { id: number; token: string }>;
  /** Other users, signed in through the login form (their own, so a token caller's password change never ends these sessions). */
  sessions: Record<'viewer' | 'analyst' | 'admin', { id: number; username: string; browser: Browser; csrf: string }>;
  /** A fresh id, unique per call (usernames, names). */
  seq(): number;
  /** A stock of the seeded demo market (smallDemo), with bars in backtestPeriod. */
  code: string;
}
interface Case {
  /** Lowest role let through; 'public' for routes anyone may call. */
  min: Role | 'public';
  /** Status for callers who are let through. */
  ok: number;
  /** The object the route acts on belongs to an owner: a non-owner analyst must get 404 (not 403). */
  owned?: boolean;
  /** Path parameters; `ownerId` is whose object to make (fresh per request, so mutations never collide). */
  params?: (fx: Fixture, ownerId: number) => Promise<Record<string, string>>;
  /** A JSON body for /api, form fields for pages. */
  body?: (fx: Fixture) => Record<string, unknown>;
  /** Statuses that differ from the rule, per caller. */
  except?: Partial<Record<Caller, number>>;
}

const need = (min: Role, ok = 200, more: Partial<Case> = {}): Case => ({ min, ok, ...more });
const pub = (ok = 200, more: Partial<Case> = {}): Case => ({ min: 'public', ok, ...more });

const freshUser = async (fx: Fixture) => ({ id: String((await createUser(fx.t.deps.pg.db, systemActor('matrix'), { username: `target${fx.seq()}`, role: 'viewer', password: testPassword })).id) });
const freshToken = async (fx: Fixture, ownerId: number) => ({ id: String((await createToken(fx.t.deps.pg.db, systemActor('matrix'), { userId: ownerId, name: 'm', expiresDays: null, now: new Date() })).info.id) });
const queuedRun = async (fx: Fixture, ownerId: number) => ({ id: String((await fx.t.deps.runs!.queueRun({ executor: 'noop', params: {}, queuedBy: ownerId })).id) });
const stock = async () => ({ code: '600000.SH' });
// A fresh scheduled task (noop, manual) per request, so deletes and edits never collide.
const freshTask = async (fx: Fixture) => {
  const row = await insertTask(fx.t.deps.pg.db, {
    name: `matrix-task-${fx.seq()}`, description: '', executor: 'noop', config: '{}', schedule: JSON.stringify({ kind: 'manual', timezone: 'UTC' }), timezone: 'UTC',
    enabled: true, overlap: 'allow', max_concurrent: 5, misfire: 'once', max_catch_up: 1, grace_seconds: 60, max_attempts: 1, retry_delay_ms: 1000, timeout_ms: null, owner_id: null,
  });
  return { id: String(row!.id) };
};
// A task with one triggered (queued) run.
const freshTaskRun = async (fx: Fixture) => {
  const { id } = await freshTask(fx);
  const [run] = await fx.t.deps.pg.db.insertInto('runs').values({ executor: 'noop', params: '{}', status: 'queued', task_id: Number(id) }).returning('id').execute();
  return { id, run_id: String(run.id) };
};
const asset = async (fx: Fixture) => {
  const [, , hash, ...name] = fx.t.deps.assets.url('css/app.css').split('/');
  return { hash, name: name.join('/') };
};
// Backtests and strategies (issue 7): fresh objects per request, owned by ownerId.
/** Inside the demo market's two years (smallDemo ends 2026-11-27), so submissions and reruns are answerable. */
const backtestPeriod = { start_date: '2025-06-02', end_date: '2025-12-31' };
const fixtureSpec = (fx: Fixture) => ({ universe: { kind: 'codes' as const, codes: [fx.code] }, startDate: 20250602, endDate: 20251231 });
const doneBacktest = async (fx: Fixture, ownerId: number) => ({ id: String(await insertBacktestFixture(fx.t.deps.pg.db, ownerId, 'succeeded', fixtureSpec(fx))) });
const queuedBacktest = async (fx: Fixture, ownerId: number) => ({ id: String(await insertBacktestFixture(fx.t.deps.pg.db, ownerId, 'queued', fixtureSpec(fx))) });
// Alerts (issue 22): a fresh shared e-mail channel (no secrets: the matrix app has no key; its test send is refused by port 9) and rules on it.
const mailConfig = { host: '127.0.0.1', port: 9, secure: false, from: 'zquant@example.com', to: ['ops@example.com'] };
let sharedChannelId = 0;
const freshChannel = async (fx: Fixture) => {
  const row = await insertChannel(fx.t.deps.pg.db, { name: `matrix-channel-${fx.seq()}`, kind: 'email', config: JSON.stringify(mailConfig), shared: true, enabled: true, created_by: null });
  sharedChannelId = Number(row!.id);
  return { id: String(row!.id) };
};
const freshRule = async (fx: Fixture, ownerId: number) => {
  const { id } = await freshChannel(fx);
  return { id: String(await insertRule(fx.t.deps.pg.db, { name: 'matrix rule', event: 'backtest_finished', task_id: null, channel_id: Number(id), email: null, owner_id: ownerId, enabled: true })) };
};
// Factors (issue 21): built-ins readable by all; user factors owned like strategies (ids u<id>).
const ownFactor = async (fx: Fixture, ownerId: number) => ({ id: `u${await insertFactor(fx.t.deps.pg.db, ownerId, { name: `f${fx.seq()}`, description: '', language: 'js', code: factorTemplate })}` });
const factorBody = (fx: Fixture) => ({ name: `matrix factor ${fx.seq()}`, code: factorTemplate });
// Factor analyses (issue 21): of momentum_20 (computed once), owned by their submitter.
let momentumComputed: Promise<unknown> | null = null;
const analysedFactor = async (fx: Fixture) => {
  momentumComputed ??= computeBuiltinFactor(fx.t.market, 'momentum_20', { start: 19900101, end: 21001231, codes: null });
  await momentumComputed;
  return { id: 'momentum_20' };
};
const ownAnalysis = async (fx: Fixture, ownerId: number) => {
  await analysedFactor(fx);
  const params = { universe: 'all', codes: null, boards: null, start_date: 20260105, end_date: 20260630, horizons: [1, 5], quantiles: 5, industry_neutral: false, size_neutral: false, exclude_st: false, exclude_new_listings: false, new_listing_days: 60 };
  const aid = await insertAnalysis(fx.t.deps.pg.db, { owner_id: ownerId, factor_id: 'momentum_20', factor_key: 'momentum_20', user_factor_id: null, params: JSON.stringify(params) });
  return { id: 'momentum_20', aid: String(aid) };
};
const analysisBody = () => ({ start_date: '2026-01-05', end_date: '2026-06-30' });
const ownStrategy = async (fx: Fixture, ownerId: number) => ({ id: String(await insertStrategyFixture(fx.t.deps.pg.db, ownerId, `s${fx.seq()}`)) });
const backtestBody = (fx: Fixture) => ({ strategy: 'dual_ma', codes: [fx.code], ...backtestPeriod });
const strategyBody = (fx: Fixture) => ({ name: `matrix ${fx.seq()}`, code: strategyTemplate });
// Sweeps (issue 20): owned like backtests.
const doneSweep = async (fx: Fixture, ownerId: number) => ({ id: String(await insertSweepFixture(fx.t.deps.pg.db, ownerId, 'succeeded', fixtureSpec(fx))), ordinal: '0' });
const queuedSweep = async (fx: Fixture, ownerId: number) => ({ id: String(await insertSweepFixture(fx.t.deps.pg.db, ownerId, 'queued', fixtureSpec(fx))) });
const pausedSweep = async (fx: Fixture, ownerId: number) => ({ id: String(await insertSweepFixture(fx.t.deps.pg.db, ownerId, 'paused', fixtureSpec(fx))) });
const sweepSpace = { short_window: { values: [3, 5] }, long_window: { values: [10, 20] } };
const sweepBody = (fx: Fixture) => ({ strategy: 'dual_ma', codes: [fx.code], ...backtestPeriod, space: sweepSpace });


const matrix: Record<string, Case> = {
  // Public
  'GET /healthz': pub(),
  'GET /readyz': pub(),
  // Monitoring: admins (and metrics-scoped tokens of admins: test/metrics/metrics.test.ts).
  'GET /metrics': need('admin', 200, { except: { anonymous: 401 } }),
  'GET /public/:hash/:name{.+}': pub(200, { params: asset }),
  'GET /login': pub(302, { except: { anonymous: 200 } }),
  // Anonymous login posts without the pre-session CSRF cookie are refused; callers with a token pass CSRF and get "wrong password".
  // A different unknown username each time: seven wrong passwords for one name would pass its throttle (5 per 15 minutes).
  'POST /login': pub(401, { body: (fx) => ({ username: `nobody${fx.seq()}`, password: 'wrong password' }), except: { anonymous: 403 } }),
  'POST /logout': pub(303),
  // Pages
  'GET /': need('viewer'),
  'GET /account': need('viewer'),
  'POST /account/tokens': need('viewer', 201, { body: () => ({ name: 'matrix' }) }),
  'POST /account/tokens/:id/revoke': need('viewer', 303, { owned: true, params: freshToken }),
  // Revoke-all keeps the calling token (except_current), so the matrix's callers keep working.
  'POST /account/tokens/revoke-all': need('viewer', 200, { body: () => ({ except_current: 'on' }) }),
  'POST /account/password': need('viewer', 303, { body: () => ({ current_password: testPassword, new_password: testPassword }) }),
  'POST /account/locale': need('viewer', 303, { body: () => ({ locale: '' }) }),
  'GET /admin': need('admin'),
  'GET /admin/users': need('admin'),
  'POST /admin/users': need('admin', 201, { body: (fx) => ({ username: `made${fx.seq()}`, role: 'viewer', password: '' }) }),
  'POST /admin/users/:id': need('admin', 200, { params: freshUser, body: () => ({ role: 'analyst' }) }),
  'POST /admin/users/:id/password': need('admin', 200, { params: freshUser, body: () => ({ password: '' }) }),
  'POST /admin/users/:id/tokens/revoke-all': need('admin', 200, { params: freshUser }),
  'GET /admin/audit': need('admin'),
  'GET /admin/storage': need('admin'),
  'POST /admin/storage/housekeeping': need('admin', 303),
  // JSON API
  'GET /api/v1/me': need('viewer'),
  'GET /api/v1/account/tokens': need('viewer'),
  'POST /api/v1/account/tokens': need('viewer', 201, { body: () => ({ name: 'matrix' }) }),
  'DELETE /api/v1/account/tokens/:id': need('viewer', 200, { owned: true, params: freshToken }),
  'DELETE /api/v1/account/tokens': need('viewer', 200, { body: () => ({ except_current: true }) }),
  'GET /api/v1/admin/users': need('admin'),
  'POST /api/v1/admin/users': need('admin', 201, { body: (fx) => ({ username: `api${fx.seq()}`, role: 'viewer' }) }),
  'PATCH /api/v1/admin/users/:id': need('admin', 200, { params: freshUser, body: () => ({ disabled: true }) }),
  'POST /api/v1/admin/users/:id/password': need('admin', 200, { params: freshUser, body: () => ({}) }),
  'DELETE /api/v1/admin/users/:id/tokens': need('admin', 200, { params: freshUser }),
  'GET /api/v1/admin/audit': need('admin'),
  // Public: it describes the API and holds no data (issue 18), so clients can be generated from it.
  'GET /api/v1/openapi.json': pub(),
  'GET /api-docs': need('viewer'),
  // Market data: everyone signed in reads; syncs and imports are admin work.
  'GET /api/v1/market/stocks': need('viewer'),
  'GET /api/v1/market/daily': need('viewer', 400),
  'GET /api/v1/market/calendar': need('viewer', 400), // start and end are required
  'GET /api/v1/market/coverage': need('viewer'),
  'GET /api/v1/market/sync-log': need('viewer'),
  'GET /market': need('viewer'),
  'GET /market/stocks/:code': need('viewer', 404, { params: stock }),
  'GET /market/coverage': need('viewer'),
  'GET /market/log': need('viewer'),
  'POST /market/sync': need('admin', 400),
  'POST /market/import': need('admin', 400),
  // Runs: a user's runs are theirs (and admins'); others get 404. Queueing diagnostics is admin work.
  'GET /api/v1/runs': need('viewer'),
  'POST /api/v1/runs': need('analyst', 202, { body: () => ({ executor: 'noop', params: {} }), except: { analyst: 403 } }),
  'GET /api/v1/runs/:id': need('viewer', 200, { owned: true, params: queuedRun }),
  'GET /api/v1/runs/:id/events': need('viewer', 200, { owned: true, params: queuedRun }),
  'GET /api/v1/runs/:id/logs': need('viewer', 200, { owned: true, params: queuedRun }),
  'POST /api/v1/runs/:id/cancel': need('analyst', 202, { owned: true, params: queuedRun }),
  'POST /api/v1/runs/:id/pause': need('analyst', 202, { owned: true, params: queuedRun }),
  'POST /api/v1/runs/:id/resume': need('analyst', 202, { owned: true, params: queuedRun }),
  'POST /api/v1/runs/:id/retry': need('analyst', 409, { owned: true, params: queuedRun }), // a queued run cannot be retried yet
  'GET /runs': need('viewer'),
  'GET /runs/table': need('viewer'),
  'GET /runs/:id{[0-9]+}': need('viewer', 200, { owned: true, params: queuedRun }),
  'GET /runs/:id{[0-9]+}/stream': need('viewer', 200, { owned: true, params: queuedRun }),
  'POST /runs/:id{[0-9]+}/cancel': need('analyst', 303, { owned: true, params: queuedRun }),
  'POST /runs/:id{[0-9]+}/pause': need('analyst', 303, { owned: true, params: queuedRun }),
  'POST /runs/:id{[0-9]+}/resume': need('analyst', 303, { owned: true, params: queuedRun }),
  'POST /runs/:id{[0-9]+}/retry': need('analyst', 409, { owned: true, params: queuedRun }),
  // Scheduler (issue 8): viewers read, admins change.
  'GET /scheduler': need('viewer'),
  'GET /scheduler/stream': need('viewer', 200, { except: {} }),
  'GET /scheduler/stats': need('viewer'),
  'GET /scheduler/new': need('admin'),
  'GET /scheduler/config-fields': need('admin'),
  'POST /scheduler/preview': need('viewer', 200, { body: () => ({ expression: '0 18 * * 1-5', timezone: 'UTC' }) }),
  'GET /scheduler/tasks/:id{[0-9]+}': need('viewer', 200, { params: freshTask }),
  'GET /scheduler/tasks/:id{[0-9]+}/history': need('viewer', 200, { params: freshTask }),
  'GET /scheduler/tasks/:id{[0-9]+}/dag': need('viewer', 404, { params: freshTask }),
  'GET /scheduler/tasks/:id{[0-9]+}/edit': need('admin', 200, { params: freshTask }),
  'POST /scheduler/tasks': need('admin', 303, { body: (fx) => ({ name: `page-task-${fx.seq()}`, executor: 'noop', kind: 'manual', timezone: 'UTC', enabled: 'on' }) }),
  'POST /scheduler/tasks/:id{[0-9]+}': need('admin', 303, { params: freshTask, body: (fx) => ({ name: `page-edit-${fx.seq()}`, executor: 'noop', kind: 'manual', timezone: 'UTC' }) }),
  'POST /scheduler/tasks/:id{[0-9]+}/enable': need('admin', 303, { params: freshTask }),
  'POST /scheduler/tasks/:id{[0-9]+}/disable': need('admin', 303, { params: freshTask }),
  'POST /scheduler/tasks/:id{[0-9]+}/pause': need('admin', 303, { params: freshTask }),
  'POST /scheduler/tasks/:id{[0-9]+}/resume': need('admin', 303, { params: freshTask }),
  'POST /scheduler/tasks/:id{[0-9]+}/trigger': need('admin', 303, { params: freshTask }),
  'POST /scheduler/tasks/:id{[0-9]+}/delete': need('admin', 303, { params: freshTask, body: () => ({ confirm: 'yes' }) }),
  'GET /api/v1/scheduler/tasks': need('viewer'),
  'POST /api/v1/scheduler/tasks': need('admin', 201, { body: (fx) => ({ name: `api-task-${fx.seq()}`, executor: 'noop', schedule: { kind: 'manual' } }) }),
  'GET /api/v1/scheduler/tasks/:id': need('viewer', 200, { params: freshTask }),
  'PATCH /api/v1/scheduler/tasks/:id': need('admin', 200, { params: freshTask, body: () => ({ description: 'changed' }) }),
  'DELETE /api/v1/scheduler/tasks/:id': need('admin', 200, { params: freshTask }),
  'GET /api/v1/alerts/channels': need('analyst'),
  'POST /api/v1/alerts/channels': need('admin', 201, { body: (fx) => ({ name: `matrix-made-${fx.seq()}`, kind: 'email', config: mailConfig }) }),
  'PATCH /api/v1/alerts/channels/:id': need('admin', 200, { params: freshChannel, body: () => ({ enabled: false }) }),
  'DELETE /api/v1/alerts/channels/:id': need('admin', 200, { params: freshChannel }),
  'POST /api/v1/alerts/channels/:id/test': need('admin', 200, { params: freshChannel }),
  'GET /api/v1/alerts/rules': need('analyst'),
  'POST /api/v1/alerts/rules': need('analyst', 201, { params: freshChannel, body: () => ({ name: 'my backtests', event: 'backtest_finished', channel_id: sharedChannelId }) }),
  'DELETE /api/v1/alerts/rules/:id': need('analyst', 200, { owned: true, params: freshRule }),
  'GET /api/v1/alerts/deliveries': need('admin'),
  'GET /admin/alerts': need('admin'),
  'GET /admin/alerts/channels/:id{[0-9]+}/edit': need('admin', 200, { params: freshChannel }),
  'POST /admin/alerts/channels': need('admin', 303, { body: (fx) => ({ name: `page-channel-${fx.seq()}`, kind: 'email', host: '127.0.0.1', port: '9', from: 'zquant@example.com', to: 'ops@example.com' }) }),
  'POST /admin/alerts/channels/:id{[0-9]+}': need('admin', 303, { params: freshChannel, body: (fx) => ({ name: `page-edit-${fx.seq()}`, host: '127.0.0.1', port: '9', from: 'zquant@example.com', to: 'ops@example.com' }) }),
  'POST /admin/alerts/channels/:id{[0-9]+}/test': need('admin', 200, { params: freshChannel }),
  'POST /admin/alerts/channels/:id{[0-9]+}/delete': need('admin', 303, { params: freshChannel, body: () => ({ confirm: 'yes' }) }),
  'POST /admin/alerts/rules': need('admin', 303, { params: freshChannel, body: () => ({ name: 'page rule', event: 'run_failed', channel_id: String(sharedChannelId) }) }),
  'POST /admin/alerts/rules/:id{[0-9]+}/delete': need('admin', 303, { params: freshRule, body: () => ({ confirm: 'yes' }) }),
  'POST /api/v1/scheduler/tasks/:id/enable': need('admin', 200, { params: freshTask }),
  'POST /api/v1/scheduler/tasks/:id/disable': need('admin', 200, { params: freshTask }),
  'POST /api/v1/scheduler/tasks/:id/pause': need('admin', 200, { params: freshTask }),
  'POST /api/v1/scheduler/tasks/:id/resume': need('admin', 200, { params: freshTask }),
  'POST /api/v1/scheduler/tasks/:id/trigger': need('admin', 202, { params: freshTask }),
  'POST /api/v1/scheduler/tasks/:id/runs/:run_id/cancel': need('admin', 202, { params: freshTaskRun }),
  'POST /api/v1/scheduler/tasks/:id/runs/:run_id/pause': need('admin', 202, { params: freshTaskRun }),
  'POST /api/v1/scheduler/tasks/:id/runs/:run_id/resume': need('admin', 202, { params: freshTaskRun }),
  'POST /api/v1/scheduler/tasks/:id/runs/:run_id/retry': need('admin', 409, { params: freshTaskRun }),
  'GET /api/v1/scheduler/tasks/:id/runs': need('viewer', 200, { params: freshTask }),
  'GET /api/v1/scheduler/tasks/:id/slots': need('viewer', 200, { params: freshTask }),
  'GET /api/v1/scheduler/stats': need('viewer'),
  'POST /api/v1/scheduler/cron/preview': need('viewer', 200, { body: () => ({ expression: '*/5 * * * * *', timezone: 'UTC' }) }),
  'GET /api/v1/scheduler/executors': need('viewer'),
  // Backtests (issue 7): analysts submit and change their own; viewers read what they own; others' → 404.
  'GET /backtests': need('viewer'),
  'GET /backtests/rows': need('viewer'),
  'GET /backtests/compare': need('viewer'),
  'GET /backtests/new': need('analyst'),
  'GET /backtests/new/params': need('analyst'),
  'GET /backtests/new/stocks': need('analyst'),
  'POST /backtests': need('analyst', 303, { body: (fx) => ({ strategy: 'builtin:dual_ma', universe: 'codes', codes: fx.code, ...backtestPeriod, capital: '1000000' }) }),
  'GET /backtests/:id{[0-9]+}': need('viewer', 200, { owned: true, params: doneBacktest }),
  'GET /backtests/:id{[0-9]+}/stream': need('viewer', 200, { owned: true, params: doneBacktest }),
  'GET /backtests/:id{[0-9]+}/fills': need('viewer', 200, { owned: true, params: doneBacktest }),
  'GET /backtests/:id{[0-9]+}/orders': need('viewer', 200, { owned: true, params: doneBacktest }),
  'GET /backtests/:id{[0-9]+}/export/trades.csv': need('viewer', 200, { owned: true, params: doneBacktest }),
  'GET /backtests/:id{[0-9]+}/export/orders.csv': need('viewer', 200, { owned: true, params: doneBacktest }),
  'GET /backtests/:id{[0-9]+}/export/nav.csv': need('viewer', 200, { owned: true, params: doneBacktest }),
  'GET /backtests/:id{[0-9]+}/export/backtest.json': need('viewer', 200, { owned: true, params: doneBacktest }),
  'GET /backtests/:id{[0-9]+}/export/report.html': need('viewer', 200, { owned: true, params: doneBacktest }),
  'POST /backtests/:id{[0-9]+}/cancel': need('analyst', 303, { owned: true, params: queuedBacktest }),
  'POST /backtests/:id{[0-9]+}/rerun': need('analyst', 303, { owned: true, params: doneBacktest }),
  'POST /backtests/:id{[0-9]+}/pin': need('analyst', 303, { owned: true, params: doneBacktest }),
  'POST /backtests/:id{[0-9]+}/unpin': need('analyst', 303, { owned: true, params: doneBacktest }),
  'POST /backtests/:id{[0-9]+}/delete': need('analyst', 303, { owned: true, params: doneBacktest, body: () => ({ confirm: 'yes' }) }),
  // Sweep pages (issue 20).
  'GET /sweeps': need('viewer'),
  'GET /sweeps/rows': need('viewer'),
  'GET /sweeps/new': need('analyst'),
  'GET /sweeps/new/params': need('analyst'),
  'GET /sweeps/new/count': need('analyst'),
  'POST /sweeps': need('analyst', 303, {
    body: (fx) => ({ strategy: 'dual_ma', universe: 'codes', codes: fx.code, ...backtestPeriod, capital: '1000000', 'ax.short_window.kind': 'list', 'ax.short_window.values': '3, 5', 'ax.long_window.kind': 'list', 'ax.long_window.values': '10, 20' }),
  }),
  'GET /sweeps/:id{[0-9]+}': need('viewer', 200, { owned: true, params: doneSweep }),
  'GET /sweeps/:id{[0-9]+}/live': need('viewer', 200, { owned: true, params: doneSweep }),
  'GET /sweeps/:id{[0-9]+}/sets': need('viewer', 200, { owned: true, params: doneSweep }),
  'GET /sweeps/:id{[0-9]+}/heatmap': need('viewer', 200, { owned: true, params: doneSweep }),
  'GET /sweeps/:id{[0-9]+}/export/sets.csv': need('viewer', 200, { owned: true, params: doneSweep }),
  'GET /sweeps/:id{[0-9]+}/export/sets.json': need('viewer', 200, { owned: true, params: doneSweep }),
  'POST /sweeps/:id{[0-9]+}/cancel': need('analyst', 303, { owned: true, params: queuedSweep }),
  'POST /sweeps/:id{[0-9]+}/pause': need('analyst', 303, { owned: true, params: queuedSweep }),
  'POST /sweeps/:id{[0-9]+}/resume': need('analyst', 303, { owned: true, params: pausedSweep }),
  'POST /sweeps/:id{[0-9]+}/delete': need('analyst', 303, { owned: true, params: doneSweep, body: () => ({ confirm: 'yes' }) }),
  'POST /sweeps/:id{[0-9]+}/sets/:ordinal{[0-9]+}/backtest': need('analyst', 303, { owned: true, params: doneSweep }),
  'POST /api/v1/backtest/run': need('analyst', 202, { body: backtestBody }),
  'POST /api/v1/backtests': need('analyst', 202, { body: backtestBody }),
  'GET /api/v1/backtests': need('viewer'),
  'GET /api/v1/backtests/:id': need('viewer', 200, { owned: true, params: doneBacktest }),
  'GET /api/v1/backtests/:id/result': need('viewer', 200, { owned: true, params: doneBacktest }),
  'GET /api/v1/backtests/:id/performance': need('viewer', 200, { owned: true, params: doneBacktest }),
  'GET /api/v1/backtests/:id/trades': need('viewer', 200, { owned: true, params: doneBacktest }),
  'GET /api/v1/backtests/:id/orders': need('viewer', 200, { owned: true, params: doneBacktest }),
  'POST /api/v1/backtests/:id/cancel': need('analyst', 202, { owned: true, params: queuedBacktest }),
  'POST /api/v1/backtests/:id/rerun': need('analyst', 202, { owned: true, params: doneBacktest }),
  'DELETE /api/v1/backtests/:id': need('analyst', 200, { owned: true, params: doneBacktest }),
  'POST /api/v1/backtests/:id/pin': need('analyst', 200, { owned: true, params: doneBacktest }),
  'DELETE /api/v1/backtests/:id/pin': need('analyst', 200, { owned: true, params: doneBacktest }),
  'POST /api/v1/sweeps': need('analyst', 202, { body: sweepBody }),
  'POST /api/v1/walk-forwards': need('analyst', 202, { body: (fx) => ({ ...sweepBody(fx), windows: { in_sample_days: 40, out_of_sample_days: 20 } }) }),
  'POST /api/v1/sweeps/count': need('analyst', 200, { body: () => ({ strategy: 'dual_ma', space: sweepSpace }) }),
  'GET /api/v1/sweeps': need('viewer'),
  'GET /api/v1/sweeps/:id': need('viewer', 200, { owned: true, params: doneSweep }),
  'GET /api/v1/sweeps/:id/results': need('viewer', 200, { owned: true, params: doneSweep }),
  'GET /api/v1/sweeps/:id/heatmap': need('viewer', 200, { owned: true, params: doneSweep }),
  'POST /api/v1/sweeps/:id/cancel': need('analyst', 202, { owned: true, params: queuedSweep }),
  'POST /api/v1/sweeps/:id/pause': need('analyst', 202, { owned: true, params: queuedSweep }),
  'POST /api/v1/sweeps/:id/resume': need('analyst', 202, { owned: true, params: pausedSweep }),
  'DELETE /api/v1/sweeps/:id': need('analyst', 200, { owned: true, params: doneSweep }),
  'POST /api/v1/sweeps/:id/sets/:ordinal/backtest': need('analyst', 202, { owned: true, params: doneSweep }),
  // Strategies (issue 7): built-ins readable by all; user strategies like backtests.
  'GET /strategies': need('viewer'),
  'GET /strategies/builtin/:name': need('viewer', 200, { params: async () => ({ name: 'dual_ma' }) }),
  'GET /strategies/new': need('analyst'),
  'POST /strategies': need('analyst', 303, { body: strategyBody }),
  'POST /strategies/try': need('analyst', 200, { body: () => ({ example: 'ctx.sma' }) }),
  'GET /strategies/:id{[0-9]+}': need('viewer', 200, { owned: true, params: ownStrategy }),
  'GET /strategies/:id{[0-9]+}/edit': need('analyst', 200, { owned: true, params: ownStrategy }),
  'POST /strategies/:id{[0-9]+}': need('analyst', 303, { owned: true, params: ownStrategy, body: strategyBody }),
  'POST /strategies/:id{[0-9]+}/delete': need('analyst', 303, { owned: true, params: ownStrategy, body: () => ({ confirm: 'yes' }) }),
  'GET /factors': need('viewer'),
  'GET /factors/new': need('analyst'),
  'POST /factors/new': need('analyst', 303, { body: factorBody }),
  'GET /factors/:id{[a-z][a-z0-9_]+}': need('viewer', 200, { owned: true, params: ownFactor }),
  'POST /factors/:id{[a-z][a-z0-9_]+}/compute': need('analyst', 303, { owned: true, params: ownFactor, body: () => ({ start_date: '2026-11-02' }) }),
  'GET /factors/:id{u[0-9]+}/edit': need('analyst', 200, { owned: true, params: ownFactor }),
  'POST /factors/:id{u[0-9]+}/edit': need('analyst', 303, { owned: true, params: ownFactor, body: factorBody }),
  'POST /factors/:id{u[0-9]+}/delete': need('analyst', 303, { owned: true, params: ownFactor, body: () => ({ confirm: 'yes' }) }),
  'GET /api/v1/factors': need('viewer'),
  'GET /api/v1/factors/:id': need('viewer', 200, { owned: true, params: ownFactor }),
  'POST /api/v1/factors': need('analyst', 201, { body: factorBody }),
  'PUT /api/v1/factors/:id': need('analyst', 200, { owned: true, params: ownFactor, body: factorBody }),
  'DELETE /api/v1/factors/:id': need('analyst', 200, { owned: true, params: ownFactor }),
  'POST /api/v1/factors/:id/computations': need('analyst', 202, { owned: true, params: ownFactor, body: () => ({ start_date: '2026-11-02' }) }),
  'POST /api/v1/factors/:id/analyses': need('analyst', 202, { params: analysedFactor, body: analysisBody }),
  'GET /api/v1/factors/:id/analyses': need('viewer', 200, { params: analysedFactor }),
  'GET /api/v1/factors/:id/analyses/:aid': need('viewer', 200, { owned: true, params: ownAnalysis }),
  'DELETE /api/v1/factors/:id/analyses/:aid': need('analyst', 200, { owned: true, params: ownAnalysis }),
  'GET /factors/:id/analyses/new': need('analyst', 200, { params: analysedFactor }),
  'POST /factors/:id/analyses': need('analyst', 303, { params: analysedFactor, body: analysisBody }),
  'GET /factors/:id/analyses/:aid{[0-9]+}': need('viewer', 200, { owned: true, params: ownAnalysis }),
  'GET /factors/:id/analyses/:aid{[0-9]+}/live': need('viewer', 200, { owned: true, params: ownAnalysis }),
  'POST /factors/:id/analyses/:aid{[0-9]+}/delete': need('analyst', 303, { owned: true, params: ownAnalysis, body: () => ({ confirm: 'yes' }) }),
  'GET /api/v1/strategies': need('viewer'),
  'GET /api/v1/strategies/:id': need('viewer', 200, { owned: true, params: ownStrategy }),
  'POST /api/v1/strategies': need('analyst', 201, { body: strategyBody }),
  'PUT /api/v1/strategies/:id': need('analyst', 200, { owned: true, params: ownStrategy, body: strategyBody }),
  'DELETE /api/v1/strategies/:id': need('analyst', 200, { owned: true, params: ownStrategy }),
};

/** Every route of the app, without middleware-only entries (app.use registers method ALL). */
function registeredRoutes(t: TestApp): string[] {
  return [...new Set(t.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))].sort();
}

const sessionRole: Record<SessionCaller, Role> = { 'viewer (session)': 'viewer', 'analyst (session)': 'analyst', 'admin (session)': 'admin', 'admin (session, no CSRF)': 'admin' };
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

function expected(key: string, c: Case, caller: Caller): number {
  const [method, path] = key.split(' ');
  // A session that does not send its CSRF token is refused on every state-changing request, whatever its role.
  if (caller === 'admin (session, no CSRF)' && !safeMethods.has(method)) return 403;
  const as: TokenCaller = caller in sessionRole ? sessionRole[caller as SessionCaller] : (caller as TokenCaller);
  if (c.except?.[as] !== undefined) return c.except[as]!;
  if (c.min === 'public') return c.ok;
  if (as === 'anonymous') {
    const isApi = path.startsWith('/api/');
    return !isApi && method === 'GET' ? 302 : 401;
  }
  const role: Role = as === 'analyst (non-owner)' ? 'analyst' : as;
  if (!roleAtLeast(role, c.min)) return 403;
  if (as === 'analyst (non-owner)') return 404;
  return c.ok;
}

/** Signs in through the login form and reads the session's CSRF token from a page. */
async function signIn(t: TestApp, username: string): Promise<{ browser: Browser; csrf: string }> {
  const browser = new Browser(t);
  const res = await browser.login(username);
  if (res.status !== 303) throw new Error(`signing in ${username} answered ${res.status}`);
  return { browser, csrf: await browser.csrfFrom('/account') };
}

let fx: Fixture;
beforeAll(async () => {
  const t = await makeTestApp({ API_RATE_LIMIT_PER_MINUTE: '100000', BACKTEST_MAX_QUEUED_PER_USER: '1000' }, { serverExecutors: true }); // queue limits are tested elsewhere: here every row's fixtures queue runs for the same analyst
  // Backtest submissions are checked against the market data (issue 18): give them some.
  await seedDemoMarket(t.market, smallDemo);
  const [listed] = await t.market.query(`select ts_code from daily_bars where trade_date between 20250602 and 20251231 group by ts_code having count(*) > 100 order by ts_code limit 1`);
  let n = 0;
  fx = {
    t,
    code: String(listed.ts_code),
    seq: () => ++n,
    users: {
      viewer: await makeUser(t, 'm-viewer', 'viewer'),
      analyst: await makeUser(t, 'm-analyst', 'analyst'),
      analyst2: await makeUser(t, 'm-analyst2', 'analyst'),
      admin: await makeUser(t, 'm-admin', 'admin'),
    },
    sessions: {} as Fixture['sessions'],
  };
  for (const role of ['viewer', 'analyst', 'admin'] as const) {
    const u = await makeUser(t, `s-${role}`, role);
    fx.sessions[role] = { id: u.id, username: u.username, ...(await signIn(t, u.username)) };
  }
});
afterAll(async () => {
  await fx.t.close();
});

describe('authorization matrix', () => {
  it('has exactly one entry per registered route', () => {
    const routes = registeredRoutes(fx.t);
    const missing = routes.filter((r) => !(r in matrix));
    const stale = Object.keys(matrix).filter((k) => !routes.includes(k));
    expect(missing, 'routes with no matrix entry: add one line each to test/auth/matrix.test.ts').toEqual([]);
    expect(stale, 'matrix entries for routes that no longer exist').toEqual([]);
  });

  it('answers every route with the expected status for every caller', async () => {
    const failures: string[] = [];
    let calls = 0;
    for (const [key, c] of Object.entries(matrix)) {
      const [method, pattern] = key.split(' ');
      const callers: Caller[] = ['anonymous', 'viewer', 'analyst', 'admin', 'viewer (session)', 'analyst (session)', 'admin (session)', 'admin (session, no CSRF)'];
      if (c.owned) callers.push('analyst (non-owner)');
      for (const caller of callers) {
        const session = caller in sessionRole ? fx.sessions[sessionRole[caller as SessionCaller]] : null;
        const self = session ?? (caller === 'anonymous' ? null : fx.users[caller === 'analyst (non-owner)' ? 'analyst2' : (caller as 'viewer' | 'analyst' | 'admin')]);
        // Owned objects: the caller's own, except for the non-owner (analyst's object) and admins (analyst's object: admins see all).
        const ownerId = caller === 'analyst (non-owner)' || caller === 'admin' || (session && sessionRole[caller as SessionCaller] === 'admin') || !self ? fx.users.analyst.id : self.id;
        const params = c.params ? await c.params(fx, ownerId) : {};
        const path = pattern.replace(/:(\w+)(\{[^}]*\})?/g, (_, name: string) => params[name] ?? `missing-${name}`);
        const isApi = path.startsWith('/api/');
        const body = c.body?.(fx);
        const headers: Record<string, string> = session ? {} : self ? bearer((self as { token: string }).token) : {};
        let payload: string | undefined;
        if (body) {
          headers['content-type'] = isApi ? 'application/json' : 'application/x-www-form-urlencoded';
          payload = isApi ? JSON.stringify(body) : new URLSearchParams(body as Record<string, string>).toString();
        } else if (isApi && method !== 'GET' && method !== 'DELETE') {
          headers['content-type'] = 'application/json';
          payload = '{}';
        }
        let res: Response;
        if (session) {
          // Signing out ends the session: that row signs out a second session of the same user.
          const s = key === 'POST /logout' && caller !== 'admin (session, no CSRF)' ? await signIn(fx.t, session.username) : session;
          if (caller !== 'admin (session, no CSRF)' && !safeMethods.has(method)) headers['x-csrf-token'] = s.csrf;
          res = await s.browser.request(path, { method, headers, body: payload });
          // A rotated session (a password change) has a new CSRF token.
          if (res.headers.getSetCookie().length && key !== 'POST /logout') session.csrf = await session.browser.csrfFrom('/account');
        } else {
          res = await fx.t.app.request(path, { method, headers, body: payload });
        }
        calls++;
        const want = expected(key, c, caller);
        // Bodies are read only when needed: a stream route's body never ends.
        if (res.status !== want) failures.push(`${key} as ${caller}: got ${res.status}, expected ${want} (${(await res.text()).slice(0, 160)})`);
        else if (caller === 'admin (session, no CSRF)' && want === 403) {
          const text = await res.text();
          if (!text.includes('csrf_failed') && !text.includes('out of date')) failures.push(`${key} as ${caller}: 403 but not the CSRF refusal (${text.slice(0, 160)})`);
        } else await res.body?.cancel();
        if (caller === 'anonymous' && isApi && want === 401) {
          expect(res.headers.get('content-type'), `${key}: /api answers JSON, never a login redirect`).toMatch(/application\/json/);
        }
      }
    }
    expect(failures).toEqual([]);
    // Every row, every caller: 8 callers per route, a 9th (the non-owner) on owned routes.
    const owned = Object.values(matrix).filter((c) => c.owned).length;
    expect(calls).toBe(Object.keys(matrix).length * 8 + owned);
  }, 300_000); // ~3,000 requests over every route and caller: about a minute on a quiet 2-core machine, more under load

  it('answers 401 JSON without credentials on every /api route but the public OpenAPI document', async () => {
    const apiRoutes = Object.keys(matrix).filter((k) => k.split(' ')[1].startsWith('/api/') && k !== 'GET /api/v1/openapi.json');
    expect(apiRoutes.length).toBeGreaterThan(50);
    const wrong: string[] = [];
    for (const key of apiRoutes) {
      const [method, pattern] = key.split(' ');
      // Placeholder ids: the answer must not depend on whether the object exists.
      const path = pattern.replace(/:(\w+)(\{[^}]*\})?/g, '1');
      const res = await fx.t.app.request(path, { method, headers: method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' }, body: method === 'GET' || method === 'DELETE' ? undefined : '{}' });
      const body = (await res.json().catch(() => null)) as { error?: { code?: string } } | null;
      if (res.status !== 401 || body?.error?.code !== 'unauthenticated') wrong.push(`${key}: ${res.status} ${JSON.stringify(body).slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
  });
});
