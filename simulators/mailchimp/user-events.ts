import type { Audience, WebhookEventType } from './audience.js';
import { subscriberHash, type Json } from './validate.js';

/**
 * Mirrors a user/admin-side change into the audience before its webhook goes out, so a later API read
 * agrees with the event (an unsubscribe event leaves the member unsubscribed).
 */
export function applyUserEvent(aud: Audience, type: WebhookEventType, data: Json): void {
  const email =
    typeof data.email === 'string'
      ? data.email
      : typeof data.old_email === 'string'
        ? data.old_email
        : undefined;
  if (!email) return;
  const m = aud.members.get(subscriberHash(email));
  if (!m) return;
  const now = Date.now();
  if (type === 'unsubscribe') aud.setStatus(m, 'unsubscribed', now);
  else if (type === 'cleaned') aud.setStatus(m, 'cleaned', now);
  else if (type === 'subscribe') aud.setStatus(m, 'subscribed', now);
  else if (type === 'profile' && data.merges && typeof data.merges === 'object') {
    for (const [k, v] of Object.entries(data.merges as Json))
      if (k !== 'EMAIL' && aud.mergeField(k)) m.mergeFields[k] = v;
  } else if (type === 'upemail' && typeof data.new_email === 'string') {
    const hash = subscriberHash(data.new_email);
    if (!aud.members.has(hash)) aud.rekey(m, data.new_email, hash);
  } else return;
  m.lastChanged = now;
}
