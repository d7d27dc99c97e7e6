/**
 * Value-axis ticks for the server-rendered SVG charts (backtest lines, candlesticks):
 * about `n` round values (steps of 1, 2, 2.5 or 5 × a power of ten) inside [lo, hi].
 * Values are rounded to 1e-9 so float steps print as 0.3, not 0.30000000000000004 (and a tick at zero is 0, not -0).
 */
export function niceTicks(lo: number, hi: number, n: number): number[] {
  const span = hi - lo || 1;
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(Math.round(v * 1e9) / 1e9 || 0);
  return out;
}
