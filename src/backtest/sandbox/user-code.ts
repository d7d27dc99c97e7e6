/**
 * Turns a user's strategy source (JavaScript or TypeScript) into a script for the isolate:
 * Sucrase strips the types and turns `export default` into `exports.default`, with a source map so
 * errors point at the user's own line and column.
 */
import { decodeMappings, originalPosition, type DecodedMap } from './source-map.ts';

export const USER_FILENAME = 'strategy.js';

export interface CompiledUserCode {
  code: string;
  map: DecodedMap;
}

export interface UserCodeError {
  code: 'syntax_error' | 'runtime_error' | 'invalid_strategy' | 'invalid_params' | 'timeout' | 'memory_limit' | 'aborted';
  message: string;
  line: number | null;
  column: number | null;
  date: number | null;
}

/**
 * Sucrase is loaded on the first compile, not with this module: the backtest thread imports the
 * sandbox for every run, and loading Sucrase's parser through tsx's CommonJS hook grows a
 * WebAssembly memory (the module lexer's), which detaches an ArrayBuffer. The first detach in an
 * isolate makes V8 add a detached-buffer check to every typed-array access in code it optimizes
 * from then on: the engine ran dual MA at 46–48 M stock-days/s with Sucrase loaded against 60–63 M
 * without (test/bench/engine.bench.ts). A thread that runs a built-in strategy now never loads it.
 */
let sucrase: Promise<typeof import('sucrase')> | undefined;

/**
 * Compiles with Sucrase (plain JavaScript, so the single executable, which cannot carry esbuild's
 * native binary, compiles exactly as `npm start` does): types stripped, `export default` turned into
 * `exports.default =`, every statement kept on its line, and a source map for the columns.
 */
export async function compileUserCode(source: string, language: 'ts' | 'js' = 'ts'): Promise<CompiledUserCode | UserCodeError> {
  const { transform } = await (sucrase ??= import('sucrase'));
  try {
    const r = transform(source, {
      transforms: language === 'ts' ? ['typescript', 'imports'] : ['imports'],
      sourceMapOptions: { compiledFilename: USER_FILENAME },
      filePath: language === 'ts' ? 'strategy.ts' : 'strategy.js',
      production: true,
      disableESTransforms: true,
    });
    return { code: r.code, map: decodeMappings(r.sourceMap!.mappings) };
  } catch (err) {
    const loc = (err as { loc?: { line: number; column: number } }).loc;
    // Sucrase ends its messages with "(line:column)"; the position goes into its own fields.
    return { code: 'syntax_error', message: (err as Error).message.replace(/\s*\(\d+:\d+\)$/, ''), line: loc?.line ?? null, column: loc?.column ?? null, date: null };
  }
}

/** The user's line/column of the first stack frame inside the user's script. The script runs
 * wrapped with one line before it, hence the − 1. */
export function locateInUserCode(stack: string, map: DecodedMap): { line: number; column: number } | null {
  const re = new RegExp(`${USER_FILENAME.replace('.', '\\.')}:(\\d+):(\\d+)`);
  const m = re.exec(stack);
  if (!m) return null;
  return originalPosition(map, Number(m[1]) - 1, Number(m[2]));
}
