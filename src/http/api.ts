import { OpenAPIHono } from '@hono/zod-openapi';
import { inputError } from './contract.ts';
import { AppError } from './errors.ts';
import type { AppEnv } from './env.ts';

/**
 * A router for the JSON API (/api/v1). Routes declared with `createRoute` and zod schemas are
 * validated by those schemas and described in /api/v1/openapi.json; a validation failure is a 400
 * naming the field.
 */
export function makeApiRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        // An id that cannot name anything (see idSchema in input.ts) is a 404, like an id that names nothing.
        if (issue.code === 'custom' && (issue.params as { notFound?: boolean } | undefined)?.notFound) {
          throw new AppError(404, 'not_found', `${issue.message}; ids are whole numbers written in digits`);
        }
        const err = inputError(result.error.issues, result.target);
        throw new AppError(err.status, err.code, err.message, { ...err.details, target: result.target });
      }
    },
  });
}
