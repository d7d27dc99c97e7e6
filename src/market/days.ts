/**
 * The one date codec (YYYYMMDD numbers ↔ `YYYY-MM-DD`, calendar-day arithmetic), as everything
 * outside the engine imports it. Written once, in src/engine/days.ts: the engine needs it too and
 * may import nothing from outside its folder. Like that module, this one holds no behaviour of its
 * own, so views may import it (test/house/layers.test.ts checks both stay leaves).
 */
export { addDays, fromYmd, isoDay, isWeekend, toYmd, ymdOf } from '../engine/days.ts';
