/**
 * Turns a user's strategy source (JavaScript or TypeScript) into a script for the isolate:
 * esbuild strips the types and turns `export default` into `module.exports`, with a source map so
 * errors point at the user's own line and column.
 */
import { transform } from 'esbuild';
import { esbuildAvailable } from '../../runtime/tools.ts';
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

export async function compileUserCode(source: string, language: 'ts' | 'js' = 'ts'): Promise<CompiledUserCode | UserCodeError> {
  if (!esbuildAvailable()) return compileWithoutEsbuild(source, language);
  try {
    const r = await transform(source, { loader: language, format: 'cjs', sourcemap: 'external', sourcefile: 'strategy.ts', target: 'es2022', logLevel: 'silent' });
    const map = JSON.parse(r.map) as { mappings: string };
    return { code: r.code, map: decodeMappings(map.mappings) };
  } catch (err) {
    const e = (err as { errors?: { text: string; location?: { line: number; column: number } | null }[] }).errors?.[0];
    return {
      code: 'syntax_error',
      message: e ? e.text : (err as Error).message,
      line: e?.location?.line ?? null,
      // esbuild columns are 0-based.
      column: e?.location ? e.location.column + 1 : null,
      date: null,
    };
  }
}

/**
 * The single executable has no esbuild: TypeScript is refused, JavaScript runs as written with its
 * `export default` turned into `exports.default =` (line for line, so positions map one to one,
 * columns on that line shifted by 3). Other import/export statements are refused.
 */
function compileWithoutEsbuild(source: string, language: 'ts' | 'js'): CompiledUserCode | UserCodeError {
  const refuse = (message: string, line: number | null = null): UserCodeError => ({ code: 'syntax_error', message, line, column: line ? 1 : null, date: null });
  if (language === 'ts') {
    return refuse('TypeScript strategies need the npm install (npm start); the single executable runs JavaScript strategies only: write the strategy in JavaScript');
  }
  const code = source.replace(/^(\s*)export\s+default\s+/m, '$1exports.default = ');
  const lines = code.split('\n');
  const bad = lines.findIndex((l) => /^\s*(import|export)\b/.test(l));
  if (bad >= 0) return refuse('in the single executable a JavaScript strategy can only use `export default` (no other import or export)', bad + 1);
  return { code, map: lines.map((_, i) => [[0, i, 0]]) };
}

/** The user's line/column of the first stack frame inside the user's script. The script runs
 * wrapped with one line before it, hence the − 1. */
export function locateInUserCode(stack: string, map: DecodedMap): { line: number; column: number } | null {
  const re = new RegExp(`${USER_FILENAME.replace('.', '\\.')}:(\\d+):(\\d+)`);
  const m = re.exec(stack);
  if (!m) return null;
  return originalPosition(map, Number(m[1]) - 1, Number(m[2]));
}
