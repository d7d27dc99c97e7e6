import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ctxReference, generatedPath, renderReference } from '../../scripts/gen-ctx-reference.ts';
import { ctxReference as committed } from '../../src/strategies/ctx-reference.generated.ts';
import { checkStrategyCode } from '../../src/strategies/dry-run.ts';
import { exampleStrategy } from '../../src/strategies/ctx-reference.ts';

describe('the strategy editor’s ctx reference', () => {
  it('is what the generator makes of the engine’s declarations today (regenerate: node --import tsx scripts/gen-ctx-reference.ts)', () => {
    expect(readFileSync(generatedPath, 'utf8')).toBe(renderReference(ctxReference()));
  });

  it('documents every member and gives every function of ctx and ctx.portfolio an example', () => {
    const entries = committed.flatMap((s) => s.entries);
    // context.ts: StrategyContext declares 33 names (overloads merged).
    expect(entries.filter((e) => e.name.startsWith('ctx.') && e.name.split('.').length === 2).length).toBeGreaterThanOrEqual(33);
    expect(entries.filter((e) => !e.doc).map((e) => e.name)).toEqual([]);
    const functions = entries.filter((e) => e.kind === 'method' && e.name.startsWith('ctx.'));
    expect(functions.filter((e) => !e.example).map((e) => e.name)).toEqual([]);
  });

  // Every example runs in the editor's own dry run (60 days of the made-up market, src/strategies/dry-run.ts).
  const examples = committed.flatMap((s) => s.entries).filter((e) => e.example);
  it.each(examples.map((e) => [e.name, e.example!] as const))('the example of %s runs in the dry run', async (_name, example) => {
    const outcome = await checkStrategyCode(exampleStrategy(example), 'js');
    expect(outcome.ok ? null : outcome.error).toBeNull();
  });

  it('a broken example would be caught (the dry run reports a throw in onDay)', async () => {
    const outcome = await checkStrategyCode(exampleStrategy("ctx.order('NOPE.SH', 100);"), 'js');
    expect(outcome.ok).toBe(false);
  });
});
