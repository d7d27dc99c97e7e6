/** The wall time of each step of a backup or a restore (both report them as `phasesMs`). */
export function phaseTimer(): { phasesMs: Record<string, number>; timed<T>(phase: string, work: () => Promise<T>): Promise<T> } {
  const phasesMs: Record<string, number> = {};
  return {
    phasesMs,
    async timed(phase, work) {
      const t = performance.now();
      try {
        return await work();
      } finally {
        phasesMs[phase] = Math.round(performance.now() - t);
      }
    },
  };
}
