import { isBinary } from './sea.ts';

/**
 * Whether esbuild (its native executable, found in node_modules) can run in this process: under
 * node yes; inside the single executable no (it carries no esbuild executable). Code that
 * transforms at run time asks here and falls back or refuses with a clear message.
 */
export function esbuildAvailable(): boolean {
  return !isBinary();
}
