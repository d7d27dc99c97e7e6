/**
 * Issue 16, "Streams end when access ends": an open SSE stream ends, with `event: access_ended`
 * last, within a second of its token being revoked, its user disabled or given another role, its
 * session logged out, or its credential expiring. Two app instances share one Postgres: streams are
 * opened on A and access is changed through B's HTTP API, so the signal crosses the NOTIFY bus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessEndedReason } from '../../src/auth/access-check.service.ts';
import { makeAccessWatch, type AccessWatch } from '../../src/auth/access-watch.ts';
import { createToken } from '../../src/auth/tokens.service.ts';
import { systemActor } from '../../src/auth/users.service.ts';
import { AccessEndedEventSchema } from '../../src/runs/runs.contract.ts';
import { bearer, Browser, makeUser } from '../helpers/accounts.ts';
import { makeTestApp, type App, type TestApp } from '../helpers/app.ts';

/** How soon after the change the stream must have ended (the bound). */
const closeWithinMs = 1000;

let t: TestApp;
let instanceB: Awaited<ReturnType<TestApp['secondInstance']>>;
let appA: App;
let appB: App;
let watchA: AccessWatch;
let admin: { id: number; token: string };
/** Re-checks A's watch has finished: once one has, that stream's watch listens and its credential was live. */
let rechecked = 0;
const recheckWaiters: Array<() => void> = [];
const openReaders: Array<ReadableStreamDefaultReader<Uint8Array>> = [];
let seq = 0;

beforeAll(async () => {
  t = await makeTestApp();
  watchA = makeAccessWatch({
    listen: (channel, onPayload) => t.db.store.listen(channel, onPayload),
    recheck: async (p, cred) => {
      const reason = await accessEndedReason(t.db.store.db, p, cred, new Date());
      rechecked++;
      for (const w of recheckWaiters.splice(0)) w();
      return reason;
    },
    now: Date.now,
    onError: (err) => {
      throw err;
    },
  });
  appA = t.appWith({ accessWatch: watchA });
  // Instance B: its own connections to the same database (PGlite has one process: the same store).
  instanceB = await t.secondInstance();
  appB = instanceB.app;
  admin = await makeUser(t, 'root', 'admin');
});

afterAll(async () => {
  // Each step of the teardown is bounded and named: on the loaded CI machine (the whole suite at
  // once) this hook once held past its 180 s timeout after all six tests had passed, and never
  // here alone. A step that does not settle is reported, not waited for.
  const bounded = async (what: string, work: () => Promise<unknown>, ms = 15_000) => {
    const done = await Promise.race([work().then(() => true, () => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), ms))]);
    if (!done) console.warn(`streams-end teardown: ${what} did not settle in ${ms / 1000} s`);
  };
  await Promise.all(openReaders.map((r, i) => bounded(`cancelling open stream ${i + 1} of ${openReaders.length}`, () => r.cancel(), 5000)));
  await bounded('closing access watch A', async () => watchA?.close());
  if (instanceB) await bounded('closing instance B\'s store', () => instanceB.close());
  await bounded('closing the test app and dropping its database', async () => t?.close());
});

async function untilRechecked(n: number): Promise<void> {
  while (rechecked < n) await new Promise<void>((resolve) => recheckWaiters.push(resolve));
}

/** A user with two tokens and a queued run of theirs (no workers here: it stays open). */
async function userWithRun(role: 'viewer' | 'analyst') {
  const user = await makeUser(t, `u${++seq}`, role);
  const second = await createToken(t.deps.pg.db, systemActor('test'), { userId: user.id, name: 'second', expiresDays: null, now: new Date() });
  const run = await t.deps.runs!.queueRun({ executor: 'noop', params: {}, queuedBy: user.id });
  return { ...user, second: second.token, runId: run.id };
}

/** The id of the token makeUser made (named 'test'). */
async function firstTokenId(userId: number): Promise<number> {
  const row = await t.deps.pg.db.selectFrom('api_tokens').select('id').where('user_id', '=', userId).where('name', '=', 'test').executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Reads an SSE response in the background. */
function readSse(res: Response) {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = res.body!.getReader();
  openReaders.push(reader);
  const dec = new TextDecoder();
  let text = '';
  let changed: () => void = () => {};
  const ended = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return performance.now();
      text += dec.decode(value, { stream: true });
      changed();
    }
  })();
  return {
    text: () => text,
    /** Resolves once the text so far satisfies `ok`. */
    async until(ok: (text: string) => boolean): Promise<void> {
      while (!ok(text)) {
        const more = new Promise<void>((resolve) => (changed = resolve));
        if (await Promise.race([more.then(() => false), ended.then(() => true)])) break;
      }
      expect(ok(text), `the stream ended without it; got:\n${text}`).toBe(true);
    },
    /** The moment the stream ended; fails when it is still open `ms` after `since`. */
    async endedBy(since: number, ms: number): Promise<number> {
      let timer!: NodeJS.Timeout;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`stream still open ${ms} ms later; got:\n${text}`)), Math.max(0, since + ms - performance.now()));
      });
      try {
        return await Promise.race([ended, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    /** Whether it is still open right now (nothing pending would end it before this turn). */
    async isOpen(): Promise<boolean> {
      return Promise.race([ended.then(() => false), new Promise<boolean>((resolve) => setImmediate(() => resolve(true)))]);
    },
  };
}

/** The last SSE message (comments skipped) as event name and parsed data. */
function lastMessage(text: string): { event: string | null; data: unknown } {
  const blocks = text.split('\n\n').map((b) => b.split('\n').filter((l) => l && !l.startsWith(':'))).filter((b) => b.length);
  const last = blocks[blocks.length - 1] ?? [];
  const field = (name: string) => last.filter((l) => l.startsWith(`${name}: `)).map((l) => l.slice(name.length + 2));
  const data = field('data').join('\n');
  return { event: field('event')[0] ?? null, data: data.startsWith('{') ? JSON.parse(data) : data };
}

const accessEnded = (reason: string) => ({ event: 'access_ended', data: { reason } });

/** Opens a run's event stream on instance A and waits until it is watched. */
async function runStream(token: string, runId: number) {
  const before = rechecked;
  const sse = readSse(await appA.request(`/api/v1/runs/${runId}/events`, { headers: bearer(token) }));
  await sse.until((x) => x.includes(': connected'));
  await untilRechecked(before + 1);
  return sse;
}

/** A browser signed in on instance A, holding the scheduler's live list open. */
async function schedulerStream(username: string) {
  const browser = new Browser({ ...t, app: appA });
  expect((await browser.login(username)).status).toBe(303);
  const before = rechecked;
  const sse = readSse(await browser.request('/scheduler/stream'));
  await sse.until((x) => x.includes('hx-partial'));
  await untilRechecked(before + 1);
  return { browser, sse };
}

const patchUser = (id: number, body: object) =>
  appB.request(`/api/v1/admin/users/${id}`, { method: 'PATCH', headers: { ...bearer(admin.token), 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('an open stream ends when its access ends, in every instance', () => {
  it('token revoked: its run events stream gets access_ended and ends; the same user’s other token keeps streaming', async () => {
    const u = await userWithRun('viewer');
    const other = await runStream(u.second, u.runId);
    const doomed = await runStream(u.token, u.runId);
    const tokenId = await firstTokenId(u.id);
    const watched = watchA.watchedCount();

    const t0 = performance.now();
    expect((await appB.request(`/api/v1/account/tokens/${tokenId}`, { method: 'DELETE', headers: bearer(u.token) })).status).toBe(200);
    expect((await doomed.endedBy(t0, closeWithinMs)) - t0).toBeLessThan(closeWithinMs);
    expect(lastMessage(doomed.text())).toEqual(accessEnded('token_revoked'));
    // Its data is the documented AccessEndedEvent (runs.contract.ts).
    expect(AccessEndedEventSchema.strict().safeParse(lastMessage(doomed.text()).data).success).toBe(true);
    // One NOTIFY is matched against every watch at once: had it ended the other, that was already done.
    expect(watchA.watchedCount()).toBe(watched - 1);
    expect(await other.isOpen()).toBe(true);
    expect((await appA.request(`/api/v1/runs/${u.runId}/events`, { headers: bearer(u.token) })).status).toBe(401);
  });

  it('user disabled (admin API): their browser’s /scheduler/stream and their token’s run stream both end', async () => {
    const u = await userWithRun('viewer');
    const { sse: page } = await schedulerStream(u.username);
    const api = await runStream(u.token, u.runId);

    const t0 = performance.now();
    expect((await patchUser(u.id, { disabled: true })).status).toBe(200);
    await page.endedBy(t0, closeWithinMs);
    await api.endedBy(t0, closeWithinMs);
    expect(lastMessage(page.text())).toEqual(accessEnded('user_disabled'));
    expect(lastMessage(api.text())).toEqual(accessEnded('user_disabled'));
  });

  it('role changed (admin API): the run stream ends with role_changed; another user’s stream stays', async () => {
    const u = await userWithRun('viewer');
    const bystander = await userWithRun('viewer');
    const mine = await runStream(u.token, u.runId);
    const theirs = await runStream(bystander.token, bystander.runId);
    const watched = watchA.watchedCount();

    const t0 = performance.now();
    expect((await patchUser(u.id, { role: 'analyst' })).status).toBe(200);
    await mine.endedBy(t0, closeWithinMs);
    expect(lastMessage(mine.text())).toEqual(accessEnded('role_changed'));
    expect(watchA.watchedCount()).toBe(watched - 1);
    expect(await theirs.isOpen()).toBe(true);
  });

  it('session logged out (on the other instance): the browser’s /scheduler/stream ends; the user’s token stream stays', async () => {
    const u = await userWithRun('viewer');
    const { browser, sse: page } = await schedulerStream(u.username);
    const api = await runStream(u.token, u.runId);
    const csrf = await browser.csrfFrom('/account');
    const onB = new Browser({ ...t, app: appB });
    onB.jar = { ...browser.jar };
    const watched = watchA.watchedCount();

    const t0 = performance.now();
    expect((await onB.post('/logout', { _csrf: csrf })).status).toBe(303);
    await page.endedBy(t0, closeWithinMs);
    expect(lastMessage(page.text())).toEqual(accessEnded('session_ended'));
    expect(watchA.watchedCount()).toBe(watched - 1);
    expect(await api.isOpen()).toBe(true);
  });

  it('token expired: the stream ends at the expiry, with reason expired', async () => {
    const u = await userWithRun('viewer');
    const expiresAt = new Date(Date.now() + 400);
    await t.deps.pg.db.updateTable('api_tokens').set({ expires_at: expiresAt }).where('user_id', '=', u.id).where('name', '=', 'test').execute();
    const sse = await runStream(u.token, u.runId);
    const t0 = performance.now() + (expiresAt.getTime() - Date.now());
    await sse.endedBy(t0, closeWithinMs);
    expect(lastMessage(sse.text())).toEqual(accessEnded('expired'));
  });

  it('a revocation committed before the stream listened is caught by the re-check', async () => {
    const u = await userWithRun('viewer');
    // An instance whose LISTEN is held back until the token is revoked: that NOTIFY reaches no one.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const watch = makeAccessWatch({
      listen: async (channel, onPayload) => {
        await held;
        return t.db.store.listen(channel, onPayload);
      },
      recheck: (p, cred) => accessEndedReason(t.db.store.db, p, cred, new Date()),
      now: Date.now,
      onError: (err) => {
        throw err;
      },
    });
    const appC = t.appWith({ accessWatch: watch });
    try {
      const tokenId = await firstTokenId(u.id);
      const sse = readSse(await appC.request(`/api/v1/runs/${u.runId}/events`, { headers: bearer(u.token) }));
      await sse.until((x) => x.includes(': connected'));
      expect((await appB.request(`/api/v1/account/tokens/${tokenId}`, { method: 'DELETE', headers: bearer(u.token) })).status).toBe(200);
      const t0 = performance.now();
      release();
      await sse.endedBy(t0, closeWithinMs);
      expect(lastMessage(sse.text())).toEqual(accessEnded('token_revoked'));
      expect(watch.watchedCount()).toBe(0);
    } finally {
      await watch.close();
    }
  });
});
