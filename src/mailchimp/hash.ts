import { createHash } from 'node:crypto';

/** Mailchimp keys members by the MD5 of the lower-cased address; trimming first keeps ERP padding out of it. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function subscriberHash(email: string): string {
  return createHash('md5').update(normalizeEmail(email)).digest('hex');
}

/** A stable, non-reversible name for a credential, so maps can be keyed by it without holding it. */
export function credentialId(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}
