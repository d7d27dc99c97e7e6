import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface Asset {
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly hash: string;
}

/**
 * The files under public/, held in memory and addressed by a content-hashed URL
 * (`/public/<hash>/<name>`), so they can be cached forever and a new release is never stale.
 */
export interface Assets {
  /** The URL of a file by its path under public/, e.g. `url('css/app.css')`. */
  url(name: string): string;
  /** The file for a request path under /public/, or null. */
  lookup(hash: string, name: string): Asset | null;
}

export function makeAssets(files: ReadonlyMap<string, Uint8Array>): Assets {
  const table = new Map<string, Asset>();
  for (const [name, body] of files) {
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
    table.set(name, { body, hash, contentType: contentTypes[extname(name)] ?? 'application/octet-stream' });
  }
  return {
    url(name) {
      const asset = table.get(name);
      if (!asset) throw new Error(`no asset named ${name} under public/`);
      return `/public/${asset.hash}/${name}`;
    },
    lookup(hash, name) {
      const asset = table.get(name);
      return asset && asset.hash === hash ? asset : null;
    },
  };
}

/** Reads every file below a directory (the public/ folder) into memory. */
export function readAssetDir(dir: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const full = join(d, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(relative(dir, full).split(sep).join('/'), readFileSync(full));
    }
  };
  walk(dir);
  return files;
}
