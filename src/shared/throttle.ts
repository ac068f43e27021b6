/**
 * At most one of each kind of event per interval, so a flood of refused requests (a scanner, a
 * wrong URL in a loop) costs one log line per interval instead of one per request. The one that
 * gets through says how many were held back since the last one.
 */
export interface Throttle {
  /** A number (held back since the last admitted one) when this one may be logged; undefined otherwise. */
  admit(key: string, now?: number): number | undefined;
}

export function createThrottle(intervalMs: number, maxKeys = 100): Throttle {
  const state = new Map<string, { last: number; held: number }>();
  return {
    admit(key, now = Date.now()) {
      const seen = state.get(key);
      if (seen && now - seen.last < intervalMs) {
        seen.held++;
        return undefined;
      }
      // Keys are a handful of statuses; the bound only guards against a caller keying on input.
      if (!seen && state.size >= maxKeys) state.delete(state.keys().next().value!);
      state.set(key, { last: now, held: 0 });
      return seen?.held ?? 0;
    },
  };
}
