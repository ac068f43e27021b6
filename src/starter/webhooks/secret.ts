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

/**
 * A webhook URL fit for display: long path segments and secret-looking query values are masked,
 * so `webhooks list` never prints a usable URL.
 */
export function maskWebhookUrl(url: string): string {
  const mask = (s: string) => (s.length <= 4 ? '****' : `${s.slice(0, 2)}****${s.slice(-2)}`);
  try {
    const u = new URL(url);
    u.pathname = u.pathname
      .split('/')
      .map((seg, i, all) => {
        const isOurSecret = seg !== '' && i === all.length - 1 && all[i - 1] === 'webhook';
        return isOurSecret || seg.length >= 16 ? mask(seg) : seg;
      })
      .join('/');
    for (const key of [...u.searchParams.keys()]) {
      if (/secret|token|key|auth/i.test(key)) u.searchParams.set(key, mask(u.searchParams.get(key) ?? ''));
    }
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return mask(url);
  }
}
