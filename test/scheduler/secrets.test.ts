import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLogger } from '../../src/logger.ts';
import type { RunsRuntime } from '../../src/runs/runs.runtime.ts';
import { makeSecretBox, secretMask } from '../../src/secrets/secret-box.ts';
import { loadSecretKey, openSecretBox } from '../../src/secrets/secret-key.service.ts';
import { bearer, makeUser } from '../helpers/accounts.ts';
import { makeTestApp, type App, type TestApp } from '../helpers/app.ts';
import type { TestDatabase } from '../helpers/pg.ts';

// Secret values are random per run, so finding one anywhere cannot be a coincidence.
const s3Secret = `s3-${randomBytes(12).toString('hex')}`;
const argSecret = `pw-${randomBytes(12).toString('hex')}`;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

let t: TestApp;
let tdb: TestDatabase;
let runtime: RunsRuntime;
let app: App;
let tokens: { admin: string; analyst: string; viewer: string };
const instanceKey = randomBytes(32);
const box = makeSecretBox(instanceKey);
/** Everything the server and the run machinery log, to search for secrets. */
const serverLog: string[] = [];

beforeAll(async () => {
  const logger = makeLogger({ level: 'debug', write: (l) => serverLog.push(l) });
  t = await makeTestApp({ LOG_LEVEL: 'debug', API_RATE_LIMIT_PER_MINUTE: '100000' }, {
    logger, secrets: box, serverExecutors: true, workers: { settings: { concurrency: { backtest: 1, io: 4 } } },
  });
  ({ app, db: tdb } = t);
  runtime = t.runtime!;
  tokens = { admin: (await makeUser(t, 'root', 'admin')).token, analyst: (await makeUser(t, 'ana', 'analyst')).token, viewer: (await makeUser(t, 'vic', 'viewer')).token };
}, 60_000);
afterAll(async () => {
  await t?.close();
}, 30_000);

const call = async (method: string, path: string, token: string, body?: unknown) => {
  const res = await app.request(path, { method, headers: { ...bearer(token), 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, text, json: text.startsWith('{') ? JSON.parse(text) : null };
};
const expectNoSecret = (text: string) => {
  expect(text).not.toContain(s3Secret);
  expect(text).not.toContain(argSecret);
  expect(text).not.toContain('zqs1.'); // not even sealed
};
const logOf = async (runId: number) => (await runtime.service.logs(runId, 500)).map((e) => (e.data as { message: string }).message);

// The program proves it got the secrets by printing their sha256, tries to leak them, and lists its environment's names.
const script = 'printf %s "$S3_SECRET_KEY" | sha256sum; printf %s "$1" | sha256sum; echo "leak: $S3_SECRET_KEY $1"; env | cut -d= -f1 | sort | tr "\\n" " "; echo';
const taskBody = {
  name: 'export with secrets',
  executor: 'command',
  schedule: { kind: 'manual' },
  config: {
    program: 'sh',
    args: ['-c', script, 'sh', { value: argSecret, secret: true }],
    env: { S3_SECRET_KEY: { value: s3Secret, secret: true }, REGION: 'cn-north-1', PLAIN: { value: 'shown', secret: false } },
  },
};

let taskId = 0;
describe('secret env entries and arguments of command tasks', () => {
  it('are stored sealed and answered as •••• to admins and analysts; viewers get no config at all', async () => {
    const created = await call('POST', '/api/v1/scheduler/tasks', tokens.admin, taskBody);
    expect(created.status).toBe(201);
    expectNoSecret(created.text);
    taskId = created.json.id;
    expect(created.json.config.env).toEqual({ S3_SECRET_KEY: { secret: true, value: secretMask }, REGION: 'cn-north-1', PLAIN: 'shown' });
    expect(created.json.config.args[3]).toEqual({ secret: true, value: secretMask });

    const row = await sql<{ config: unknown }>`select config::text as config from scheduled_tasks where id = ${taskId}`.execute(tdb.store.db);
    const stored = String(row.rows[0].config);
    expect(stored).not.toContain(s3Secret);
    expect(stored).not.toContain(argSecret);
    expect(stored).toContain('zqs1.');

    for (const who of ['admin', 'analyst'] as const) {
      const one = await call('GET', `/api/v1/scheduler/tasks/${taskId}`, tokens[who]);
      expect(one.status).toBe(200);
      expectNoSecret(one.text);
      expect(one.json.task.config.env.S3_SECRET_KEY).toEqual({ secret: true, value: secretMask });
      expectNoSecret((await call('GET', '/api/v1/scheduler/tasks', tokens[who])).text);
    }
    const asViewer = await call('GET', `/api/v1/scheduler/tasks/${taskId}`, tokens.viewer);
    expect(asViewer.status).toBe(200);
    expect(asViewer.json.task).not.toHaveProperty('config');
    expect(asViewer.json.describe).toBeTruthy();
    expect(asViewer.text).not.toContain('REGION');
    const list = await call('GET', '/api/v1/scheduler/tasks', tokens.viewer);
    expect(list.json.tasks.every((s: { task: object }) => !('config' in s.task))).toBe(true);
    expect(list.text).not.toContain('REGION');
  });

  it('never appear on the pages, and the task page shows viewers no config', async () => {
    for (const who of ['admin', 'analyst', 'viewer'] as const) {
      const page = await call('GET', `/scheduler/tasks/${taskId}`, tokens[who]);
      expect(page.status).toBe(200);
      expectNoSecret(page.text);
      if (who === 'viewer') expect(page.text).not.toContain('REGION');
      else expect(page.text).toContain('REGION');
      expectNoSecret((await call('GET', '/scheduler', tokens[who])).text);
    }
    const edit = await call('GET', `/scheduler/tasks/${taskId}/edit`, tokens.admin);
    expect(edit.status).toBe(200);
    expectNoSecret(edit.text);
    // The secret's row (whatever its place) shows the mask in a password field, its box ticked.
    const row = /name="env\.name\.(\d+)" value="S3_SECRET_KEY"/.exec(edit.text)![1];
    expect(edit.text).toContain(`name="env.secret.${row}" checked`);
    expect(edit.text).toContain(`type="password" name="env.value.${row}" value="••••"`);
  });

  it('reach the program at spawn, decrypted, with no server variables beside them; the run log and answers never show them', async () => {
    const saved = { DATABASE_URL: process.env.DATABASE_URL, TUSHARE_TOKEN: process.env.TUSHARE_TOKEN };
    process.env.DATABASE_URL = 'postgres://server-secret@db/zquant';
    process.env.TUSHARE_TOKEN = 'tushare-server-token';
    let runId = 0;
    try {
      const trig = await call('POST', `/api/v1/scheduler/tasks/${taskId}/trigger`, tokens.admin, {});
      expect(trig.status).toBe(202);
      expectNoSecret(trig.text);
      runId = trig.json.id;
      expect((await runtime.service.waitForRun(runId, { timeoutMs: 20_000 })).status).toBe('succeeded');
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
    const lines = await logOf(runId);
    expect(lines).toContain(`${sha(s3Secret)}  -`);
    expect(lines).toContain(`${sha(argSecret)}  -`);
    // The program echoed both: the log has the mask instead.
    expect(lines).toContain(`leak: ${secretMask} ${secretMask}`);
    expect(lines[0]).toBe(`running ${JSON.stringify(['sh', '-c', script, 'sh', secretMask])}`);
    const names = lines.find((l) => l.includes('PATH '))!.trim().split(' ');
    expect(names).toEqual(expect.arrayContaining(['PATH', 'S3_SECRET_KEY', 'REGION', 'PLAIN']));
    expect(names).not.toContain('DATABASE_URL');
    expect(names).not.toContain('TUSHARE_TOKEN');
    expect(names).not.toContain('ZQUANT_SECRET_KEY');
    expectNoSecret(lines.join('\n'));

    for (const who of ['admin', 'analyst', 'viewer'] as const) {
      expectNoSecret((await call('GET', `/api/v1/scheduler/tasks/${taskId}/runs`, tokens[who])).text);
      expectNoSecret((await call('GET', `/scheduler/tasks/${taskId}/history`, tokens[who])).text);
    }
    expect((await call('GET', `/api/v1/scheduler/tasks/${taskId}/runs`, tokens.viewer)).json.runs[0].params).toBeNull();
    for (const path of [`/api/v1/runs/${runId}`, `/api/v1/runs/${runId}/logs`, `/runs/${runId}`, `/api/v1/runs/${runId}/events`]) {
      const r = await call('GET', path, tokens.admin);
      expect(r.status).toBe(200);
      expectNoSecret(r.text);
    }
    expectNoSecret(serverLog.join('\n'));
    const auditRows = await sql<{ t: string }>`select row_to_json(a)::text as t from audit_log a`.execute(tdb.store.db);
    expectNoSecret(auditRows.rows.map((r) => r.t).join('\n'));
  });

  it('are write-only: an edit sending •••• or {secret: true} keeps them, a new value replaces them', async () => {
    const env = { S3_SECRET_KEY: secretMask, REGION: 'cn-east-1', PLAIN: 'shown' };
    const kept = await call('PATCH', `/api/v1/scheduler/tasks/${taskId}`, tokens.admin, { config: { ...taskBody.config, args: ['-c', script, 'sh', { secret: true }], env } });
    expect(kept.status).toBe(200);
    expectNoSecret(kept.text);
    const run1 = (await call('POST', `/api/v1/scheduler/tasks/${taskId}/trigger`, tokens.admin, {})).json.id;
    await runtime.service.waitForRun(run1, { timeoutMs: 20_000 });
    expect(await logOf(run1)).toEqual(expect.arrayContaining([`${sha(s3Secret)}  -`, `${sha(argSecret)}  -`]));

    // The form: secret rows posted back with the mask keep their values too.
    const form = new URLSearchParams({
      name: taskBody.name, executor: 'command', kind: 'manual', timezone: 'Asia/Shanghai', enabled: 'on',
      'cfg.program': 'sh', 'cfg.env:rows': '1', 'cfg.args:rows': '1',
      'env.name.0': 'S3_SECRET_KEY', 'env.value.0': secretMask, 'env.secret.0': 'on',
      'env.name.1': 'REGION', 'env.value.1': 'cn-south-1',
      'env.name.2': '', 'env.value.2': '',
      'arg.value.0': '-c', 'arg.value.1': script, 'arg.value.2': 'sh', 'arg.value.3': secretMask, 'arg.secret.3': 'on', 'arg.value.4': '',
    });
    const posted = await app.request(`/scheduler/tasks/${taskId}`, { method: 'POST', headers: { ...bearer(tokens.admin), 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(posted.status).toBe(303);
    const run2 = (await call('POST', `/api/v1/scheduler/tasks/${taskId}/trigger`, tokens.admin, {})).json.id;
    await runtime.service.waitForRun(run2, { timeoutMs: 20_000 });
    const lines2 = await logOf(run2);
    expect(lines2).toEqual(expect.arrayContaining([`${sha(s3Secret)}  -`, `${sha(argSecret)}  -`]));
    expect(lines2.join(' ')).toContain('REGION');

    const next = `new-${randomBytes(8).toString('hex')}`;
    const replaced = await call('PATCH', `/api/v1/scheduler/tasks/${taskId}`, tokens.admin, { config: { ...taskBody.config, env: { S3_SECRET_KEY: { value: next, secret: true } } } });
    expect(replaced.status).toBe(200);
    expect(replaced.text).not.toContain(next);
    const run3 = (await call('POST', `/api/v1/scheduler/tasks/${taskId}/trigger`, tokens.admin, {})).json.id;
    await runtime.service.waitForRun(run3, { timeoutMs: 20_000 });
    expect(await logOf(run3)).toContain(`${sha(next)}  -`);
  });

  it("are sealed in a workflow's inline command steps too, and reach the step's program", async () => {
    const wfSecret = `wf-${randomBytes(10).toString('hex')}`;
    const step = { id: 'upload', executor: 'command', config: { program: 'sh', args: ['-c', 'printf %s "$W" | sha256sum'], env: { W: { value: wfSecret, secret: true } } }, depends_on: [] };
    const created = await call('POST', '/api/v1/scheduler/tasks', tokens.admin, { name: 'wf with secret', executor: 'workflow', schedule: { kind: 'manual' }, config: { steps: [step] } });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain(wfSecret);
    expect(created.json.config.steps[0].config.env.W).toEqual({ secret: true, value: secretMask });
    // An edit sending the mask back keeps it.
    const edited = await call('PATCH', `/api/v1/scheduler/tasks/${created.json.id}`, tokens.admin, { config: created.json.config });
    expect(edited.status).toBe(200);
    const run = (await call('POST', `/api/v1/scheduler/tasks/${created.json.id}/trigger`, tokens.admin, {})).json.id;
    expect((await runtime.service.waitForRun(run, { timeoutMs: 20_000 })).status).toBe('succeeded');
    const child = await sql<{ id: string }>`select id from runs where parent_run_id = ${run}`.execute(tdb.store.db);
    expect(await logOf(Number(child.rows[0].id))).toContain(`${sha(wfSecret)}  -`);
    expect((await call('GET', `/api/v1/runs/${child.rows[0].id}`, tokens.admin)).text).not.toContain(wfSecret);
  });

  it('refuses a mask with nothing stored, and a sealed value made up by the client', async () => {
    const noStored = await call('POST', '/api/v1/scheduler/tasks', tokens.admin, { ...taskBody, name: 'no stored', config: { program: 'true', env: { X: { secret: true } } } });
    expect(noStored.status).toBe(400);
    expect(noStored.json.error.message).toMatch(/config\.env\.X: no secret is stored here/);
    const forged = box.seal('forged');
    const made = await call('POST', '/api/v1/scheduler/tasks', tokens.admin, { ...taskBody, name: 'forged', config: { program: 'true', env: { X: forged } } });
    expect(made.status).toBe(400);
    expect(made.json.error.message).toMatch(/a sealed value cannot be sent/);
  });
});

describe('the secret key', () => {
  it('is made once in DATA_DIR with mode 0600 and read back; ZQUANT_SECRET_KEY must be 32 bytes of base64', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zq-key-'));
    try {
      const first = await loadSecretKey({ dataDir: dir, secretKey: null });
      expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
      expect((await loadSecretKey({ dataDir: dir, secretKey: null })).key.equals(first.key)).toBe(true);
      const given = randomBytes(32);
      expect((await loadSecretKey({ dataDir: dir, secretKey: given.toString('base64') })).key.equals(given)).toBe(true);
      await expect(loadSecretKey({ dataDir: dir, secretKey: 'c2hvcnQ=' })).rejects.toThrow(/ZQUANT_SECRET_KEY: expected 32 random bytes in base64/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('of another instance is refused once the database holds secrets sealed under a different one', async () => {
    // The tests above stored secrets under `box`: an instance with its own key would not open them.
    await expect(openSecretBox(tdb.store.db, { dataDir: tmpdir(), secretKey: randomBytes(32).toString('base64') })).rejects.toThrow(/set ZQUANT_SECRET_KEY to the same base64 key on every instance/);
    // Another instance given the same ZQUANT_SECRET_KEY starts and opens them.
    const same = await openSecretBox(tdb.store.db, { dataDir: tmpdir(), secretKey: instanceKey.toString('base64') });
    expect(same.open(box.seal(s3Secret))).toBe(s3Secret);
  });
});
