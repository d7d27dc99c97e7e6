// `npm run build:binary`: the whole server as one executable for this platform (dist/zquant).
//
//   1. esbuild bundles src/binary/binary-main.ts (cli, server, views, migrations, node_modules)
//      into one CommonJS file, the form Node 24's single executable applications (SEA) run.
//      Every `require('…/x.node')` becomes `loadAddon(dir, 'x.node')` (src/binary/native.ts).
//   2. The native addons with the libraries beside them, public/, PGlite's WASM and data files and
//      a manifest become SEA assets (src/binary/manifest.ts names them).
//   3. `node --experimental-sea-config` writes the blob; postject injects it into a copy of the
//      running node executable.
//
// It lives in scripts/ (not src/) because it is a build tool that never ships in the executable,
// and it is TypeScript run through tsx like the benchmarks, so it shares src/binary/manifest.ts.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { readAssetDir } from '../src/http/assets.ts';
import { assetKeys, type BinaryManifest } from '../src/binary/manifest.ts';
import { bundledFiles, bundledFileSourcePath, generatedFiles } from '../src/binary/files.ts';
import { isolateBuildOptions } from '../src/engine/sandbox/isolate-build.ts';
import { workerEntries } from '../src/binary/workers.ts';
import { version } from '../src/version.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(join(root, 'package.json'));
const out = process.env.ZQ_BINARY_OUT ?? join(root, 'dist', 'zquant');
const work = join(dirname(out), 'binary-build');
const started = performance.now();
const step = (what: string) => process.stderr.write(`[build:binary ${((performance.now() - started) / 1000).toFixed(1)}s] ${what}\n`);

if (process.platform !== 'linux' || process.arch !== 'x64') {
  // The addons bundled are the ones installed, so the executable is for the machine building it.
  process.stderr.write(`note: building for ${process.platform}-${process.arch} (the supported target is linux-x64)\n`);
}

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

// --- 1. bundle ---------------------------------------------------------------------------------
/** Native directories found while bundling: key → absolute directory. */
const nativeDirs = new Map<string, string>();
const nativeLoader = join(root, 'src', 'binary', 'native.ts');

/** `node_modules/@duckdb/node-bindings-linux-x64` → `duckdb+node-bindings-linux-x64`. */
function nativeKey(dir: string): string {
  const rel = dir.slice(dir.lastIndexOf(`node_modules${sep}`) + 'node_modules/'.length);
  return rel.split(sep).join('+').replace(/^@/, '').replace(/[^A-Za-z0-9._+-]/g, '_');
}

/** Addon files the bundle requires, per native directory (prebuild folders hold other ABIs too). */
const requiredAddons = new Map<string, Set<string>>();

const nativePlugin: esbuild.Plugin = {
  name: 'zquant-native',
  setup(build) {
    // isolated-vm 7 finds its addon at run time through node-gyp-build (prebuilds/<platform>/
    // isolated-vm.abi<N>.<libc>.node), which a bundle cannot do: resolve it now, for the Node that
    // runs this build (the one the executable embeds), and require that file literally.
    build.onLoad({ filter: /[\\/]node_modules[\\/]isolated-vm[\\/]isolated-vm\.js$/ }, (args) => {
      const addon = (createRequire(args.path)('node-gyp-build') as { path(dir: string): string }).path(dirname(args.path));
      return { contents: `module.exports = require(${JSON.stringify(addon)}).ivm;`, loader: 'js', resolveDir: dirname(args.path) };
    });
    // Addons for other platforms (`…-darwin-arm64/duckdb.node`) are not installed; they stay
    // `require`s that would only run on those platforms.
    build.onResolve({ filter: /\.node$/ }, async (args) => {
      if (args.pluginData === 'native-probe') return undefined;
      const r = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'native-probe' });
      if (r.errors.length) return { path: args.path, external: true };
      return { path: r.path };
    });
    build.onLoad({ filter: /\.node$/ }, (args) => {
      const dir = dirname(args.path);
      const key = nativeKey(dir);
      nativeDirs.set(key, dir);
      if (!requiredAddons.has(key)) requiredAddons.set(key, new Set());
      requiredAddons.get(key)!.add(basename(args.path));
      return {
        contents: `module.exports = require(${JSON.stringify(nativeLoader)}).loadAddon(${JSON.stringify(key)}, ${JSON.stringify(basename(args.path))});`,
        loader: 'js',
        resolveDir: root,
      };
    });
  },
};

const ours = (file: string | undefined) => !!file && /^(src|views|migrations|bin)\//.test(file);

/**
 * Bundles one entry (the server, or a worker entry) to a CommonJS file the SEA can run, and checks
 * the rules our own code must follow. Exits the build with every problem listed.
 */
async function bundle(entry: string, bundlePath: string): Promise<void> {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: bundlePath,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    // '.node' last, so `require('./out/isolated_vm')` finds the addon as node itself would.
    resolveExtensions: ['.tsx', '.ts', '.jsx', '.js', '.cjs', '.mjs', '.json', '.node'],
    conditions: ['node', 'require'],
    mainFields: ['main', 'module'],
    jsx: 'automatic',
    jsxImportSource: 'hono/jsx',
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    // import.meta.url in dependencies bundled from ESM (PGlite computes its folder from it and
    // createRequire()s it) becomes the executable's own file URL instead of undefined. Our own code
    // must not rely on it (checked below).
    define: { 'import.meta.url': '__zqImportMetaUrl' },
    banner: {
      js: 'var __zqImportMetaUrl = require("node:url").pathToFileURL(typeof __filename === "string" ? __filename : process.execPath).href;',
    },
    logLevel: 'silent',
    metafile: true,
    plugins: [nativePlugin],
  });

  // The rules feature code must follow to stay bundleable, enforced here (README, Architecture):
  // no import.meta (it names the executable in the bundle) outside src/binary/, no require or import of a path
  // computed at run time in our own code.
  const problems: string[] = [];
  for (const w of result.warnings) {
    const file = w.location?.file;
    const where = file ? `${file}:${w.location?.line}` : '(unknown)';
    if (w.id === 'empty-import-meta' && ours(file)) {
      // src/binary/ uses import.meta only on the branch that runs under node, never in the binary.
      if (file!.startsWith('src/binary/')) continue;
      problems.push(`${where}: import.meta is empty in the single executable; use src/binary/ (publicFiles, embeddedFile) instead`);
    } else if ((w.id === 'unsupported-require-call' || w.id === 'unsupported-dynamic-import') && ours(file)) {
      problems.push(`${where}: ${w.text} (import a literal path so the bundle carries the module)`);
    } else if (ours(file)) {
      problems.push(`${where}: ${w.text}`);
    }
}
if (problems.length) {
  process.stderr.write(`build:binary: the source is not bundleable:\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
// import.meta is defined for dependencies (above), so our own files are checked by reading them.
for (const file of Object.keys(result.metafile.inputs)) {
  if (!ours(file) || file.startsWith('src/binary/') || !/\.(tsx?|jsx?)$/.test(file)) continue;
  const text = readFileSync(join(root, file), 'utf8');
  const line = text.split('\n').findIndex((l) => /\bimport\.meta\b/.test(l) && !/^\s*(\/\/|\*)/.test(l));
  if (line >= 0) problems.push(`${file}:${line + 1}: import.meta points at the executable in the binary, not at the source tree; use src/binary/ (publicFiles, embeddedFile) instead`);
}
if (problems.length) {
  process.stderr.write(`build:binary: the source is not bundleable:\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
for (const w of result.warnings) if (!ours(w.location?.file)) step(`(dependency) ${w.location?.file}: ${w.text}`);

// Node 24's SEA resolves `import("fs")` of built-in modules (Node 20's did not, which this build
// used to rewrite into requires); any other module imported at run time is not in the executable.
for (const m of readFileSync(bundlePath, 'utf8').matchAll(/\bimport\((["'])([^"']+)\1\)/g)) {
  if (!isBuiltin(m[2])) problems.push(`the bundle still imports ${m[2]} at run time; the executable cannot (bundle it or make it a require)`);
}
if (problems.length) {
  process.stderr.write(`build:binary:\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
}

step('bundling the server');
const bundlePath = join(work, 'zquant.cjs');
await bundle(join(root, 'src', 'binary', 'binary-main.ts'), bundlePath);
// Worker entries are bundled on their own: inside the binary a worker starts from its code.
const workerBundles: Record<string, string> = {};
for (const [name, entry] of Object.entries(workerEntries)) {
  step(`bundling worker ${name} (${entry})`);
  workerBundles[name] = join(work, `worker-${name}.cjs`);
  await bundle(join(root, entry), workerBundles[name]);
}

// --- 2. assets ---------------------------------------------------------------------------------
step(`embedding ${nativeDirs.size} native directories, public/, PGlite`);
const assets: Record<string, string> = {};
const native: Record<string, Record<string, number>> = {};
const nativeHash = createHash('sha256');
const canStrip = process.env.ZQ_BINARY_STRIP !== '0' && spawnSync('strip', ['--version']).status === 0;
for (const [key, dir] of [...nativeDirs].sort(([a], [b]) => a.localeCompare(b))) {
  // The addons the bundle requires and every shared library beside them: an addon linked with runpath $ORIGIN (DuckDB)
  // finds them once they sit side by side in the cache directory.
  const files = readdirSync(dir)
    .filter((f) => (f.endsWith('.node') && requiredAddons.get(key)!.has(f)) || /\.so(\.\d+)*$/.test(f))
    .sort();
  // Stripped copies: debug symbols are most of some addons (a source-built isolated-vm 26 MB → 1 MB,
  // libduckdb 71 → 60 MB) and nothing at run time reads them.
  const staged = join(work, 'native', key);
  mkdirSync(staged, { recursive: true });
  for (const f of files) {
    copyFileSync(join(dir, f), join(staged, f));
    if (canStrip) run('strip', ['--strip-unneeded', join(staged, f)]);
  }
  native[key] = Object.fromEntries(files.map((f) => [f, statSync(join(staged, f)).size]));
  for (const f of files) {
    assets[assetKeys.native(key, f)] = join(staged, f);
    nativeHash.update(`${key}/${f}\0`).update(readFileSync(join(staged, f)));
  }
}
const publicDir = join(root, 'public');
const publicNames = [...readAssetDir(publicDir).keys()].sort();
for (const name of publicNames) assets[assetKeys.public(name)] = join(publicDir, ...name.split('/'));
const files: string[] = [];
for (const [name, source] of Object.entries(bundledFiles)) {
  assets[assetKeys.file(name)] = bundledFileSourcePath(source, root);
  files.push(name);
}
// Generated files (src/binary/files.ts): today the sandbox isolate's program, built as
// src/engine/sandbox/bundle.ts builds it from the source tree.
const generatedBuilders: Record<keyof typeof generatedFiles, (entry: string) => Promise<string>> = {
  'sandbox/isolate.js': async (entry) => (await esbuild.build({ ...isolateBuildOptions, absWorkingDir: root, entryPoints: [entry] })).outputFiles[0].text,
};
for (const [name, entry] of Object.entries(generatedFiles) as [keyof typeof generatedFiles, string][]) {
  step(`generating ${name} (${entry})`);
  const path = join(work, 'generated', name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, await generatedBuilders[name](join(root, entry)));
  assets[assetKeys.file(name)] = path;
  files.push(name);
}
for (const [name, path] of Object.entries(workerBundles)) assets[assetKeys.worker(name)] = path;
const manifest: BinaryManifest = {
  version,
  nativeHash: nativeHash.digest('hex').slice(0, 16),
  native,
  public: publicNames,
  files,
  workers: Object.keys(workerBundles),
};
const manifestPath = join(work, 'manifest.json');
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
assets[assetKeys.manifest] = manifestPath;

// --- 3. blob and executable --------------------------------------------------------------------
step('writing the SEA blob');
const blobPath = join(work, 'sea-prep.blob');
const seaConfig = join(work, 'sea-config.json');
writeFileSync(
  seaConfig,
  JSON.stringify({ main: bundlePath, output: blobPath, disableExperimentalSEAWarning: true, useCodeCache: true, assets }, null, 2),
);
run(process.execPath, ['--experimental-sea-config', seaConfig]);

step(`injecting into a copy of ${process.execPath} (node ${process.version})`);
mkdirSync(dirname(out), { recursive: true });
rmSync(out, { force: true });
copyFileSync(process.execPath, out);
chmodSync(out, 0o755);
// Debug symbols are most of a distribution's node binary; the executable does not need them.
if (canStrip) run('strip', ['--strip-unneeded', out]);
run(process.execPath, [
  require.resolve('postject/dist/cli.js'),
  out,
  'NODE_SEA_BLOB',
  blobPath,
  '--sentinel-fuse',
  'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
]);
chmodSync(out, 0o755);
if (process.env.ZQ_BINARY_KEEP_WORK !== '1') rmSync(work, { recursive: true, force: true });

const mb = statSync(out).size / 1e6;
step(`done: ${relative(process.cwd(), out) || out} (${mb.toFixed(1)} MB, version ${version}, native ${manifest.nativeHash})`);

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`build:binary: ${cmd} ${args.join(' ')} failed (${r.status})\n${r.stdout}${r.stderr}\n`);
    process.exit(1);
  }
}
