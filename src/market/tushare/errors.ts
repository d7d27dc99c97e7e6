/** Why a Tushare call failed; only network, timeout and quota failures are retried. */
export type TushareErrorKind = 'network' | 'timeout' | 'quota' | 'auth' | 'permission' | 'malformed' | 'api' | 'aborted';

export class TushareError extends Error {
  override name = 'TushareError';
  constructor(
    readonly kind: TushareErrorKind,
    readonly apiName: string,
    message: string,
    readonly code: number | null = null,
  ) {
    super(message);
  }

  get retryable(): boolean {
    return this.kind === 'network' || this.kind === 'timeout' || this.kind === 'quota';
  }
}

/** Tushare's quota code: over the per-minute (or per-day) call limit of the account. */
export const QUOTA_CODE = 40203;
/** Tushare's code for a token it does not know. */
export const BAD_TOKEN_CODE = 40101;

/**
 * Classifies a non-zero answer. Tushare uses 40203 both for "too many calls per minute" and for
 * "no permission for this endpoint", so the message decides between them.
 */
export function classifyApiError(apiName: string, code: number, msg: string): TushareError {
  const m = msg || '(no message)';
  if (code === BAD_TOKEN_CODE || /token/i.test(m)) {
    return new TushareError(
      'auth',
      apiName,
      `Tushare refused the token calling ${apiName} (code ${code}: ${m}); set TUSHARE_TOKEN to the token shown at https://tushare.pro/user/token`,
      code,
    );
  }
  if (/权限|permission|积分/i.test(m)) {
    return new TushareError(
      'permission',
      apiName,
      `your Tushare account may not call ${apiName} (code ${code}: ${m}); it needs more points or that endpoint's permission, or sync a dataset your account can read`,
      code,
    );
  }
  if (code === QUOTA_CODE || /每分钟|每小时|每天|最多访问|per minute|rate limit/i.test(m)) {
    return new TushareError('quota', apiName, `Tushare call quota exceeded on ${apiName} (code ${code}: ${m}); lower TUSHARE_CALLS_PER_MINUTE`, code);
  }
  return new TushareError('api', apiName, `Tushare ${apiName} answered code ${code}: ${m}`, code);
}
