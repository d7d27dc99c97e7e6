import type { OpenApiDocument } from '../../src/http/openapi.ts';

interface RouteLike {
  method: string;
  path: string;
}

/** `/api/v1/runs/:id{[0-9]+}` (Hono) → `/runs/{id}` (OpenAPI, relative to the server URL). */
export function openApiPath(honoPath: string, base: string): string {
  return honoPath.slice(base.length).replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?\??/g, '{$1}') || '/';
}

/**
 * Compares the routes an app really serves under `base` with the operations of its OpenAPI
 * document. `undocumented`: served but not described (declared with `api.get(...)` instead of
 * `createRoute`); `unserved`: described but not served (mounted on the API router after
 * createApp had already copied it onto the app).
 */
export function compareRoutesWithDocument(routes: readonly RouteLike[], doc: OpenApiDocument, base: string) {
  const served = new Set<string>();
  for (const r of routes) {
    // `use()` middleware registers as ALL; only method handlers are endpoints.
    if (r.method === 'ALL' || !r.path.startsWith(`${base}/`)) continue;
    served.add(`${r.method.toUpperCase()} ${openApiPath(r.path, base)}`);
  }
  const documented = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of Object.keys(item as object)) {
      if (['get', 'post', 'put', 'patch', 'delete', 'head', 'options'].includes(method)) documented.add(`${method.toUpperCase()} ${path}`);
    }
  }
  return {
    served: [...served].sort(),
    undocumented: [...served].filter((x) => !documented.has(x)).sort(),
    unserved: [...documented].filter((x) => !served.has(x)).sort(),
  };
}
