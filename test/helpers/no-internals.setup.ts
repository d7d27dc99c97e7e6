/**
 * Vitest setup (vitest.config.ts `setupFiles`): every app createApp builds in a test answers through
 * the no-internals check (test/helpers/no-internals.ts), so every existing test of every route
 * also proves its error answers carry no stack, file path or SQL — without each test asking — and
 * that every /api/v1 answer matches its route's documented schema (test/helpers/contract-check.ts).
 */
import { afterEach, expect, vi } from 'vitest';
import { checkContract, takeContractProblems } from './contract-check.ts';
import { checkResponses, takeRecordedInternals } from './no-internals.ts';

// The document builder of the app being built, caught on its way through documentApi.
const built = vi.hoisted(() => ({ document: null as null | (() => import('../../src/http/openapi.ts').OpenApiDocument) }));

vi.mock('../../src/http/openapi.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/http/openapi.ts')>();
  return { ...original, documentApi: (...args: Parameters<typeof original.documentApi>) => (built.document = original.documentApi(...args)) };
});

vi.mock('../../src/app.tsx', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/app.tsx')>();
  return {
    ...original,
    createApp: (...args: Parameters<typeof original.createApp>) => {
      built.document = null;
      const app = checkResponses(original.createApp(...args));
      const document = built.document;
      if (!document) throw new Error('createApp built no OpenAPI document (documentApi was not called)');
      return checkContract(app, document);
    },
  };
});

// A leak in a successful answer, or one a listening server turned into a plain 500, fails the test it happened in.
afterEach(async () => {
  expect(await takeRecordedInternals(), 'answers that showed server internals').toEqual([]);
  // Every /api/v1 answer matches the documented schema of its route (test/helpers/contract-check.ts).
  expect(await takeContractProblems(), 'answers that broke the API contract (the OpenAPI document of their route)').toEqual([]);
});
