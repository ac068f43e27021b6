import { createHash, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_PATH_PREFIX = '/mailchimp/webhook';

/** The path Mailchimp posts to: the secret is its last segment (Mailchimp signs nothing). */
export function webhookPath(secret: string): string {
  return `${WEBHOOK_PATH_PREFIX}/${encodeURIComponent(secret)}`;
}

/**
 * Constant-time comparison. Hashing both sides first gives equal-length buffers, so neither the
 * content nor the length of the expected secret leaks through timing.
 */
export function secretMatches(candidate: string | undefined, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  const ok = timingSafeEqual(digest(candidate ?? ''), digest(expected));
  return ok && candidate !== undefined;
}
