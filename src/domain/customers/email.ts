/**
 * Address check before anything is sent: one @, a plausible local part, a dotted domain with a
 * top-level name of letters. Deliberately ASCII: Mailchimp rejects most internationalised addresses,
 * so they are reported here as skipped with a reason instead of failing later.
 */
const EMAIL_RE =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

export function isValidEmail(email: string): boolean {
  return email.length <= 254 && EMAIL_RE.test(email);
}

/** The form two addresses are compared in (Mailchimp's subscriber hash lower-cases too). */
export function emailIdentity(email: string): string {
  return email.trim().toLowerCase();
}
