/** The `zquant metrics` command: reads the file, checks the options, prints the metrics as JSON. */
import { readFileSync } from 'node:fs';
import { CsvInputError, metricsFromCsv } from './metrics-csv.ts';

function fail(message: string): number {
  process.stderr.write(`zquant metrics: ${message}\nusage: zquant metrics FILE.csv [--periods-per-year N] [--risk-free R] [--benchmark-column COL]\n`);
  return 2;
}

export async function runMetricsCommand(positionals: string[], values: Record<string, unknown>): Promise<number> {
  if (positionals.length !== 1) return fail('give exactly one CSV file');
  const ppy = values['periods-per-year'] === undefined ? 252 : Number(values['periods-per-year']);
  if (!Number.isInteger(ppy) || ppy < 1) return fail(`--periods-per-year must be a positive integer, got "${String(values['periods-per-year'])}"`);
  const rf = values['risk-free'] === undefined ? 0 : Number(values['risk-free']);
  if (!Number.isFinite(rf)) return fail(`--risk-free must be a number such as 0.02, got "${String(values['risk-free'])}"`);
  let text: string;
  try {
    text = readFileSync(positionals[0], 'utf8');
  } catch (err) {
    return fail(`cannot read ${positionals[0]}: ${(err as Error).message}`);
  }
  try {
    const m = metricsFromCsv(text, { periodsPerYear: ppy, riskFreeRate: rf, benchmarkColumn: values['benchmark-column'] as string | undefined });
    process.stdout.write(JSON.stringify(m, null, 2) + '\n');
    return 0;
  } catch (err) {
    if (err instanceof CsvInputError || (err as { code?: string }).code?.startsWith('CSV_')) return fail(`${positionals[0]}: ${(err as Error).message}`);
    throw err;
  }
}
