/**
 * The check that no answer shows the server's internals (issue 16): no `stack` key in a JSON error
 * body, no file path, source line reference or stack frame in any 4xx/5xx body, and none in an
 * `error` object of a successful JSON answer either (a failed run is a 200 whose `error` is data).
 * `checkResponses` puts the check in front of an app's fetch; test/helpers/no-internals.setup.ts
 * does that to every app createApp builds, so every test's requests go through it.
 */

/** Where a leaked internal shows: paths of this checkout or its dependencies, module URLs, `x.ts:12`, stack frames (`node:internal/x:1:2`). */
const leakPatterns: ReadonlyArray<[RegExp, string]> = [
  [/\/work\//, 'a path under /work/'],
  [/\/src\//, 'a path with /src/'],
  [/node_modules/, 'a node_modules path'],
  [/file:\/\//, 'a file:// URL'],
  [/\.[cm]?[jt]sx?:\d+/, 'a source line reference (.ts:12)'],
  [/(?:node:|file:\/\/|\/)[\w./@-]*:\d+:\d+/, 'a source location (a stack frame\'s path:line:column)'],
];

function pathLeaks(text: string): string[] {
  return leakPatterns.filter(([re]) => re.test(text)).map(([, what]) => what);
}

/** Paths (a.b[2].stack) of every `stack` key in a JSON value. */
function stackKeys(value: unknown, at = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => stackKeys(v, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => (k === 'stack' ? [`${at}.${k}`] : []).concat(stackKeys(v, `${at}.${k}`)));
}

/** Every value under a key named `error` or `errors`, at any depth. */
function errorObjects(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(errorObjects);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => (k === 'error' || k === 'errors' ? [v] : errorObjects(v)));
}

const isJson = (contentType: string) => /\bjson\b/i.test(contentType);

/** What in this answer shows internals, in words; empty when nothing does. */
export function findInternals(status: number, contentType: string, body: string): string[] {
  const problems: string[] = [];
  let parsed: unknown;
  let parsedOk = false;
  if (isJson(contentType)) {
    try {
      parsed = JSON.parse(body);
      parsedOk = true;
    } catch {
      // Not JSON after all: checked as text below.
    }
  }
  if (status >= 400) {
    if (parsedOk) problems.push(...stackKeys(parsed).map((p) => `a "stack" key at ${p}`));
    problems.push(...pathLeaks(body));
  } else if (parsedOk) {
    for (const e of errorObjects(parsed)) {
      if (e === null || e === undefined) continue;
      problems.push(...stackKeys(e, '$..error').map((p) => `a "stack" key at ${p}`));
      problems.push(...pathLeaks(JSON.stringify(e)).map((w) => `${w} in an error object`));
    }
  }
  return problems;
}

/** Throws when the response shows internals. Reads a clone: the caller can still read the body. */
export async function assertNoInternals(res: Response, what = 'response'): Promise<void> {
  if (res.status < 400 && !isJson(res.headers.get('content-type') ?? '')) return;
  const body = await res.clone().text();
  const problems = findInternals(res.status, res.headers.get('content-type') ?? '', body);
  if (problems.length) {
    throw new Error(`${what} (${res.status}) shows server internals: ${problems.join('; ')}\n--- body ---\n${body.slice(0, 2000)}`);
  }
}

const checked = Symbol.for('zquant.test.noInternalsChecked');
const recorded: string[] = [];
const pending = new Set<Promise<void>>();

/** True when `checkResponses` wraps this app's fetch. */
export function isChecked(app: { fetch: unknown }): boolean {
  return Boolean((app.fetch as Record<symbol, unknown>)[checked]);
}

/**
 * Puts the check in front of `app.fetch` (which `app.request` and a listening server both call).
 * An error answer is checked before it is handed back, and a leak throws there. A successful JSON
 * answer is checked on the side, so streamed bodies are not held back; a leak is recorded for
 * `takeRecordedInternals` (the setup file fails the test with it), as is any leak a listening
 * server would have swallowed.
 */
export function checkResponses<A extends { fetch: (...args: any[]) => Response | Promise<Response> }>(app: A): A {
  if (isChecked(app)) return app;
  const fetch = app.fetch;
  const wrapped = async (...args: Parameters<A['fetch']>): Promise<Response> => {
    const res = await fetch(...args);
    const request = args[0] as Request;
    const what = `${request.method} ${new URL(request.url).pathname}`;
    const contentType = res.headers.get('content-type') ?? '';
    if (res.status >= 400) {
      try {
        await assertNoInternals(res, what);
      } catch (err) {
        recorded.push((err as Error).message);
        throw err;
      }
    } else if (isJson(contentType) && res.body) {
      const check = assertNoInternals(res, what).catch((err: Error) => void recorded.push(err.message));
      pending.add(check);
      void check.finally(() => pending.delete(check));
    }
    return res;
  };
  Object.defineProperty(wrapped, checked, { value: true });
  app.fetch = wrapped as A['fetch'];
  return app;
}

/** The leaks seen since the last call (after the checks still reading bodies finish); clears them. */
export async function takeRecordedInternals(): Promise<string[]> {
  await Promise.all([...pending]);
  return recorded.splice(0);
}
