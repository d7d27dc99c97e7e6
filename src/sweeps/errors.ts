/**
 * The one error the sweep core throws for bad input: a parameter space, a budget or a window that
 * cannot be honoured. Plain data (code, the parameter it is about, a message that says what to
 * change) so the API layer can turn it into a 400 without parsing text; this folder imports nothing
 * outside src/engine, so it does not know AppError.
 */
export type SweepInputCode =
  | 'unknown_param' // a swept name the strategy does not declare
  | 'invalid_axis' // a list or range that is malformed or outside the schema's bounds
  | 'space_too_large' // the grid (or the space a sample is drawn from) is over the maximum
  | 'invalid_budget' // random / lhs budget not a positive integer, over the maximum or the space
  | 'invalid_windows' // walk-forward lengths or step unusable, or the period too short
  | 'invalid_matrix'; // a PBO returns matrix or partition count that CSCV cannot use

export class SweepInputError extends Error {
  override readonly name = 'SweepInputError';
  constructor(
    readonly code: SweepInputCode,
    message: string,
    /** The parameter the error is about, when there is one. */
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

/** 1234567 → "1,234,567" (bigint or number), for counts named in messages. */
export function formatCount(n: bigint | number): string {
  return BigInt(n).toLocaleString('en-US');
}
