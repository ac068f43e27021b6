const EMAIL_RE = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9])[A-Za-z0-9.-]*\.([A-Za-z]{2,})/g;

/** `priya.n@maplehw.example` -> `p***@m***.example`: enough to tell records apart, not to mail anyone. */
export function maskEmail(email: string): string {
  return email.replace(EMAIL_RE, '$1***@$2***.$3');
}

export function containsEmail(text: string): boolean {
  EMAIL_RE.lastIndex = 0;
  const found = EMAIL_RE.test(text);
  EMAIL_RE.lastIndex = 0;
  return found;
}

/** Keeps the first and last two characters of a secret so an operator can tell which one is set. */
export function maskSecret(secret: string | undefined): string {
  if (!secret) return '(not set)';
  if (secret.length <= 8) return '********';
  return `${secret.slice(0, 2)}${'*'.repeat(Math.min(secret.length - 4, 12))}${secret.slice(-2)}`;
}
