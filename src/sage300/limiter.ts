import { createLimiter, type Limiter } from '../shared/concurrency.js';

const perLogin = new Map<string, Limiter>();

/**
 * One limiter per Sage login (and cap) in this process, shared by every client that uses it: Sage
 * opens a session, and may hold a licence seat, per concurrent request.
 */
export function limiterForLogin(loginKey: string, max: number): Limiter {
  const key = `${loginKey}#${max}`;
  let limiter = perLogin.get(key);
  if (!limiter) {
    limiter = createLimiter(max);
    perLogin.set(key, limiter);
  }
  return limiter;
}
