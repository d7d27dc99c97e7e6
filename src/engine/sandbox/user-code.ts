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
 * Sucrase is loaded on the first compile, not with this module, which every backtest thread imports
 * (through run-backtest.ts) whether its strategy is user code or built in. A built-in run never
 * needs Sucrase's 57 files: a worker thread under tsx imports run-backtest.ts in 124–133 ms without
 * them, 160–183 ms with. And in a process started with `node --import tsx` (the bench runner),
 * loading them goes through tsx's CommonJS hook, whose WebAssembly lexer grows its memory and so
 * detaches an ArrayBuffer; after the first detach in an isolate, V8 guards every typed-array access
 * in the code it optimizes (the engine bench ran dual MA at 46–48 M stock-days/s with Sucrase
 * loaded, 60–63 M without). Worker threads and `bin/zquant.js` register only tsx's ESM hooks and
 * were not slowed (61–63 M in a worker either way).
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
