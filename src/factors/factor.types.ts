/** Factors as services, routes and views see them (camelCase); apart from the services so views and the contract can name them. */

export interface UserFactor {
  id: number;
  ownerId: number;
  ownerName: string | null;
  name: string;
  description: string;
  language: 'js' | 'ts';
  /** The current version; each save that changes the code adds one. */
  version: number;
  /** The stored key of the current version's values: u<id>v<version>. */
  key: string;
  code: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A user factor to save (POST/PUT /api/v1/factors and the editor's form). */
export interface UserFactorInput {
  name: string;
  description: string;
  language: 'js' | 'ts';
  code: string;
}

/** The template offered on /factors/new: a complete factor to start from. */
export const factorTemplate = `// A factor is one defineFactor({...}) call. compute(ctx) runs once per trading day and returns
// one number per stock (ctx.codes order; NaN for none). ctx is a strategy's context: today's bars,
// history and indicators, never anything after today.
export default defineFactor({
  name: 'my_factor',
  description: '20-day momentum skipping the last 5 days',
  compute(ctx) {
    const px = ctx.history('adjClose', 21);   // 21 rows × stocks, oldest first, today last
    const N = ctx.codes.length;
    const out = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      out[i] = px[15 * N + i] / px[i] - 1;     // close 5 days ago / close 20 days ago − 1 (NaN without history)
    }
    return out;
  },
});
`;
