/**
 * Vitest setup (vitest.config.ts `setupFiles`): every app createApp builds in a test answers through
 * the no-internals check (test/helpers/no-internals.ts), so every existing test of every route
 * also proves its error answers carry no stack, file path or SQL — without each test asking.
 */
import { afterEach, expect, vi } from 'vitest';
import { checkResponses, takeRecordedInternals } from './no-internals.ts';

vi.mock('../../src/app.tsx', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/app.tsx')>();
  return { ...original, createApp: (...args: Parameters<typeof original.createApp>) => checkResponses(original.createApp(...args)) };
});

// A leak in a successful answer, or one a listening server turned into a plain 500, fails the test it happened in.
afterEach(async () => {
  expect(await takeRecordedInternals(), 'answers that showed server internals').toEqual([]);
});
