import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../src/http/errors.ts';
import { defineExecutor, makeExecutorRegistry } from '../../src/runs/executor-registry.ts';
import { validateTaskConfig, type TasksDeps } from '../../src/scheduler/tasks.service.ts';

// The scheduler knows no executor by name: it calls whatever `validate` the executor defines when a task is saved.
describe('an executor’s validate hook on save', () => {
  const seen: unknown[] = [];
  const registry = makeExecutorRegistry([
    defineExecutor({
      name: 'ranged',
      description: 'test executor with a cross-field rule',
      params: z.object({ from: z.number(), to: z.number() }),
      kind: 'io',
      queueRole: 'admin',
      run: async () => null,
      validate(p, deps) {
        seen.push(p);
        if (p.to < p.from) throw new AppError(400, 'invalid_range', 'params.to: must not be before from', { field: 'params.to' });
        expect(deps.registry).toBe(registry);
      },
    }),
    defineExecutor({ name: 'plain', description: 'no hook', params: z.object({}), kind: 'io', queueRole: 'admin', run: async () => null }),
  ]);
  const deps = { db: undefined, registry, runs: undefined } as unknown as TasksDeps;

  it('is given the parsed params, and its 400 names config.<field>', async () => {
    await expect(validateTaskConfig(deps, 'ranged', { from: 1, to: 2 })).resolves.toEqual({ from: 1, to: 2 });
    expect(seen).toEqual([{ from: 1, to: 2 }]);
    const err = await validateTaskConfig(deps, 'ranged', { from: 3, to: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_range', message: 'config.to: must not be before from', details: { field: 'config.to' } });
  });

  it('is not called when the schema already refuses, and executors without one just pass', async () => {
    seen.length = 0;
    await expect(validateTaskConfig(deps, 'ranged', { from: 'x', to: 2 })).rejects.toMatchObject({ status: 400, details: { field: 'config.from' } });
    expect(seen).toEqual([]);
    await expect(validateTaskConfig(deps, 'plain', {})).resolves.toEqual({});
  });
});
