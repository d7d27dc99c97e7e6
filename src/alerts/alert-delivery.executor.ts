import { z } from 'zod';
import { defineExecutor } from '../runs/executor-registry.ts';
import { deliverEvent, deliveryMaxAttempts, deliveryRetryDelayMs, type AlertsDeps } from './alerts.service.ts';

/**
 * `alert_delivery`: sends one recorded alert event to its rule's channel. A channel that does not
 * take it (an error answer, no answer) fails the attempt; the run machinery retries with backoff
 * up to deliveryMaxAttempts. Each attempt leaves a row in the delivery log.
 */
export function makeAlertDeliveryExecutor(deps: Pick<AlertsDeps, 'db' | 'secrets'>) {
  return defineExecutor({
    name: 'alert_delivery',
    description: 'Deliver one alert to its channel (queued by the alert scan)',
    params: z.object({ event_id: z.number().int().min(1) }).strict(),
    kind: 'io',
    queueRole: 'admin',
    defaults: { maxAttempts: deliveryMaxAttempts, retryDelayMs: deliveryRetryDelayMs, timeoutMs: 60_000 },
    run: (p, ctx) => deliverEvent(deps, p.event_id, ctx),
  });
}
