// Accounts numbers: the cost of one password hash (scrypt N=2^15), and what authentication adds to
// a request (bearer token and session cookie against an anonymous public route), on the real app.
import { createToken } from '../../src/auth/tokens.service.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { createUser, systemActor } from '../../src/auth/users.service.ts';
import { makeTestApp } from '../helpers/app.ts';
import { Browser } from '../helpers/accounts.ts';

const n = Number(process.env.BENCH_N ?? 2000);

async function rps(label: string, fn: () => Response | Promise<Response>) {
  for (let i = 0; i < 50; i++) await (await fn()).arrayBuffer();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const res = await fn();
    if (res.status !== 200) throw new Error(`${label}: status ${res.status}`);
    await res.arrayBuffer();
  }
  console.log(`${label}: ${Math.round(n / ((performance.now() - t0) / 1000))} req/s (${n} sequential requests after 50 warm-up, app.request, ${t.db.kind})`);
}

const hashes = 10;
const t0 = performance.now();
for (let i = 0; i < hashes; i++) await hashPassword('a benchmark password');
console.log(`scrypt_hash_ms: ${((performance.now() - t0) / hashes).toFixed(1)} ms (mean of ${hashes} hashes, N=2^15 r=8 p=1)`);

const t = await makeTestApp({ API_RATE_LIMIT_PER_MINUTE: '10000000' });
try {
  const user = await createUser(t.deps.pg.db, systemActor('bench'), { username: 'bench', role: 'analyst', password: 'a benchmark password' });
  const { token } = await createToken(t.deps.pg.db, systemActor('bench'), { userId: user.id, name: 'bench', expiresDays: null, now: new Date() });
  const b = new Browser(t);
  await b.login('bench', 'a benchmark password');
  await rps('healthz_anonymous_rps', () => t.app.request('/healthz'));
  await rps('me_bearer_token_rps', () => t.app.request('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } }));
  await rps('me_session_cookie_rps', () => b.request('/api/v1/me'));
} finally {
  await t.close();
}
