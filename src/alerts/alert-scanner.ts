import type { Logger } from '../logger.ts';
import { scanAlerts, type ScanDeps } from './alerts.service.ts';

/** How often each instance looks for runs to alert on. */
export const alertScanIntervalMs = 5_000;

export interface AlertScanner {
  /** Scans now (after the scan under way, if any); resolves with the events recorded. */
  scanNow(): Promise<number[]>;
  /** Stops the timer and waits for a scan under way. Runs once. */
  stop(): Promise<void>;
}

/**
 * The periodic alert scan of one instance. Every instance runs one: alert_events' unique key makes
 * the first to see a run the only one to alert on it. Scans never overlap within a process.
 */
export function startAlertScanner(deps: ScanDeps, o: { logger: Logger; intervalMs?: number }): AlertScanner {
  let current: Promise<number[]> = Promise.resolve([]);
  let stopped = false;
  const scanNow = () => {
    current = current
      .catch(() => [])
      .then(() => (stopped ? [] : scanAlerts(deps)))
      .then(
        (ids) => {
          if (ids.length) o.logger.info('alerts recorded', { events: ids });
          return ids;
        },
        (err: unknown) => {
          o.logger.error('alert scan failed', { err: err as Error });
          return [];
        },
      );
    return current;
  };
  const timer = setInterval(() => void scanNow(), o.intervalMs ?? alertScanIntervalMs);
  timer.unref();
  let stopping: Promise<void> | null = null;
  return {
    scanNow,
    stop() {
      stopping ??= (async () => {
        stopped = true;
        clearInterval(timer);
        await current;
      })();
      return stopping;
    },
  };
}
