// The one redaction layer: what every log line goes through (logger.ts installs it in pino) and the
// masks for values that are stored or shown (audit trails, webhook summaries, `config`). No I/O and
// no Node built-ins: the recordWebhookEvent workflow bundles maskEmail.

export const REDACTED = '[redacted]';

const EMAIL_RE = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9])[A-Za-z0-9.-]*\.([A-Za-z]{2,})/g;

/** `priya.n@maplehw.example` -> `p***@m***.example`: enough to tell records apart, not to mail anyone. */
export function maskEmail(email: string): string {
  return email.replace(EMAIL_RE, '$1***@$2***.$3');
}

/** maskEmail for text that may not even be a valid address: never more than its first character. */
export function maskAnyEmail(raw: string): string {
  const masked = maskEmail(raw);
  if (masked !== raw) return masked;
  return `${raw.slice(0, 1)}***${raw.includes('@') ? '@***' : ''}`;
}

/** Whether a secret is set, for `config`: no character of it (the ends of a password narrow a guess). */
export function maskSecret(secret: string | undefined): string {
  return secret ? '(set)' : '(not set)';
}

/**
 * A webhook URL fit for display: the segment after `/webhook/` (where ours keeps its secret), long
 * path segments and secret-looking query values are masked, so `webhooks list` never prints a usable URL.
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

/**
 * Keys whose values never reach a log line, at any depth: credentials, tokens, auth headers,
 * cookies, keys. Matching by name (not by path) catches them wherever a library nests them.
 */
const SENSITIVE_KEY =
  /^(.*pass(word|wd|phrase)?|.*secret.*|.*token|.*tokens|.*api[-_]?key.*|authorization|proxy-authorization|cookie|set-cookie|.*credentials?|.*master[-_]?key|.*private[-_]?key|username|x-api-key)$/i;

/**
 * Where got and node:http keep request options (headers, username, password), sockets and bodies.
 * An error's fields by these names are dropped; elsewhere a class instance under these names is
 * summarised instead of walked (plain objects are walked, with sensitive keys redacted).
 */
const OPAQUE_KEYS = new Set(['options', 'request', 'response', 'socket', 'agent', 'timings', 'req', 'res']);
const ERROR_SKIP_KEYS = new Set([...OPAQUE_KEYS, 'input']);
const MAX_DEPTH = 8;

const isPlainObject = (v: object) => {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

// Literal secret values (from the loaded configuration) scrubbed from every string.
const knownSecrets = new Set<string>();

/** Registers secret values (passwords, keys) so they are scrubbed even from free text. */
export function addSecretsToScrub(values: Iterable<string | undefined>): void {
  for (const v of values) if (v && v.length >= 6) knownSecrets.add(v);
}

/**
 * Free text made safe to keep (an error message bound for workflow history, a log line): `secrets`
 * and every registered secret removed, then as scrubText.
 */
export function redactText(text: string, secrets: Iterable<string | undefined> = []): string {
  let s = text;
  for (const secret of secrets) if (secret && s.includes(secret)) s = s.split(secret).join(REDACTED);
  return scrubText(s);
}

/** Masks known secrets, emails, auth schemes, URL user info and secret query values inside free text. */
function scrubText(text: string): string {
  let s = text;
  for (const secret of knownSecrets) if (s.includes(secret)) s = s.split(secret).join(REDACTED);
  s = s.replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`);
  s = s.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]*:[^/\s@]*@/gi, `$1${REDACTED}@`);
  s = s.replace(
    /([?&](?:api[-_]?key|apikey|token|access_token|password|secret|key)=)[^&#\s"]*/gi,
    `$1${REDACTED}`,
  );
  // Emails inside URLs arrive percent-encoded (%40): masked the same way.
  s = s.replace(
    /([A-Za-z0-9._+-])[A-Za-z0-9._+-]*%40([A-Za-z0-9])[A-Za-z0-9.-]*\.([A-Za-z]{2,})/g,
    '$1***%40$2***.$3',
  );
  return s.includes('@') ? maskEmail(s) : s;
}

/** A URL without user info and with secret query values removed. */
function scrubUrl(url: unknown): string | undefined {
  if (url === undefined || url === null) return undefined;
  try {
    const u = new URL(String(url));
    u.username = '';
    u.password = '';
    return scrubText(u.toString());
  } catch {
    return scrubText(String(url));
  }
}

interface ErrorLike {
  name?: string;
  message?: string;
  stack?: string;
  code?: unknown;
  cause?: unknown;
  options?: { method?: string; url?: unknown };
  response?: { statusCode?: number };
  [k: string]: unknown;
}

/**
 * An error as a log-safe object: type, message, code, HTTP status, method and cleaned URL, stack,
 * cause, and the error's own simple fields (redacted). Request options, headers, sockets and
 * response bodies are left out: that is where got keeps the Authorization header and passwords.
 */
function serializeError(err: Error, depth: number): Record<string, unknown> {
  const e = err as Error & ErrorLike;
  const out: Record<string, unknown> = { type: e.name, message: scrubText(String(e.message ?? '')) };
  for (const [k, v] of Object.entries(e)) {
    if (k === 'cause' || ERROR_SKIP_KEYS.has(k) || k in out) continue;
    out[k] = redactValue(v, k, depth + 1);
  }
  if (e.code !== undefined) out.code = e.code;
  const statusCode = e.response?.statusCode;
  if (typeof statusCode === 'number') out.statusCode = statusCode;
  if (e.options && typeof e.options === 'object') {
    if (e.options.method) out.method = e.options.method;
    const url = scrubUrl(e.options.url);
    if (url) out.url = url;
  }
  if (e.stack) out.stack = scrubText(e.stack);
  if (e.cause !== undefined && depth < 3)
    out.cause =
      e.cause instanceof Error ? serializeError(e.cause, depth + 1) : { message: scrubText(String(e.cause)) };
  return out;
}

/**
 * A log-safe deep copy of `value` (found under `key`): values of sensitive keys redacted, errors
 * serialized without their requests, known secrets, auth values and emails masked in every string.
 */
export function redactValue(value: unknown, key = '', depth = 0, seen = new WeakSet<object>()): unknown {
  if (key && SENSITIVE_KEY.test(key) && value !== undefined && value !== null) return REDACTED;
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return serializeError(value, depth);
  if (depth >= MAX_DEPTH) return '[depth]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (value instanceof URL) return scrubUrl(value);
  if (value instanceof Date) return value;
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (value instanceof Map) return redactValue(Object.fromEntries(value), key, depth, seen);
  if (value instanceof Set) return redactValue([...value], key, depth, seen);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, '', depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (OPAQUE_KEYS.has(k) && v !== null && typeof v === 'object' && !isPlainObject(v)) {
      out[k] =
        k === 'options'
          ? { method: (v as ErrorLike['options'])?.method, url: scrubUrl((v as ErrorLike['options'])?.url) }
          : '[omitted]';
      continue;
    }
    out[k] = redactValue(v, k, depth + 1, seen);
  }
  return out;
}
