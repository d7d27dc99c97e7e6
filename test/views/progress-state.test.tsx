// Issue 24: /runs showed "39.1 % · ETA …" on a cancelled run and "0 %" on a failed one. A run's
// progress is drawn as its status makes it true: live while it runs, then its final state.
import { describe, expect, it } from 'vitest';
import { ProgressBar } from '../../views/runs/run-parts.tsx';
import type { RunProgress } from '../../src/runs/run.types.ts';
import { i18nFor } from '../../src/i18n/i18n.ts';

// English, as the page tests read (src/i18n).
const en = i18nFor('en').t;
// The reader's zone (the tz cookie; Asia/Shanghai without one): the ETA is given in it.
const zone = 'Asia/Shanghai';

const midway: RunProgress = { fraction: 0.391, processed: 183, total: 468, current: '2025-06-13', etaAt: '2026-12-06T08:00:00.000Z' };
const text = (el: unknown) => String(el).replace(/<[^>]+>/g, '');

describe('ProgressBar', () => {
  it('shows the bar and the ETA only while the run runs', () => {
    const live = String(<ProgressBar t={en} timeZone={zone} progress={midway} status="running" />);
    expect(live).toContain('<progress');
    // 08:00 UTC is 16:00 in Shanghai (UTC+8, no daylight saving).
    expect(text(live)).toContain('39.1% · 183/468 · 2025-06-13 · ETA 16:00:00 (Asia/Shanghai)');
    expect(text(<ProgressBar t={en} timeZone="UTC" progress={midway} status="running" />)).toContain('ETA 08:00:00 (UTC)');
    expect(text(<ProgressBar t={en} timeZone={zone} progress={midway} status="paused" />)).toContain('· paused');
    expect(text(<ProgressBar t={en} timeZone={zone} progress={midway} status="paused" />)).not.toContain('ETA');
  });

  it('says where a cancelled, failed or abandoned run stopped, without a bar or an ETA', () => {
    for (const status of ['cancelled', 'failed', 'abandoned'] as const) {
      const html = String(<ProgressBar t={en} timeZone={zone} progress={midway} status={status} />);
      expect(html).not.toContain('<progress');
      expect(text(html)).toBe(`${status} at 39.1% · 183/468 · 2025-06-13`);
    }
    expect(text(<ProgressBar t={en} timeZone={zone} progress={null} status="failed" />)).toBe('failed before any progress');
    expect(text(<ProgressBar t={en} timeZone={zone} progress={{ ...midway, fraction: 0, processed: 0 }} status="failed" />)).toBe('failed at 0% · 0/468 · 2025-06-13');
    expect(text(<ProgressBar t={en} timeZone={zone} progress={null} status="cancelled" />)).toBe('cancelled before it started');
  });

  it('says done for a run that succeeded, and waiting for one still queued', () => {
    expect(text(<ProgressBar t={en} timeZone={zone} progress={{ ...midway, fraction: 1, processed: 468 }} status="succeeded" />)).toBe('done · 468/468');
    expect(text(<ProgressBar t={en} timeZone={zone} progress={null} status="queued" />)).toBe('waiting for a slot');
  });
});
