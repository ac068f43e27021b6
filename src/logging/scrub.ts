import { maskEmail } from './mask.js';

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

const isPlainObject = (v: object) => {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

export const REDACTED = '[redacted]';
const MAX_DEPTH = 8;

// Literal secret values (from the loaded configuration) scrubbed from every string.
const knownSecrets = new Set<string>();

/** Registers secret values (passwords, keys) so they are scrubbed even from free text. */
export function addSecretsToScrub(values: Iterable<string | undefined>): void {
  for (const v of values) if (v && v.length >= 6) knownSecrets.add(v);
}

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key);
}

/** Masks emails, auth schemes, URL user info and secret query values inside free text. */
export function scrubText(text: string): string {
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
export function scrubUrl(url: unknown): string | undefined {
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
 * cause, and the error's own simple fields (sanitized). Request options, headers, sockets and
 * response bodies are left out: that is where got keeps the Authorization header and passwords.
 */
export function serializeError(err: unknown, depth = 0): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: scrubText(String(err)) };
  const e = err as Error & ErrorLike;
  const out: Record<string, unknown> = { type: e.name, message: scrubText(String(e.message ?? '')) };
  for (const [k, v] of Object.entries(e)) {
    if (k === 'cause' || ERROR_SKIP_KEYS.has(k) || k in out) continue;
    out[k] = sanitize(v, k, depth + 1);
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
  if (e.cause !== undefined && depth < 3) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

/** A deep copy of a log object with secrets redacted, errors serialized and emails masked. */
export function sanitize(value: unknown, key = '', depth = 0, seen = new WeakSet<object>()): unknown {
  if (key && isSensitiveKey(key) && value !== undefined && value !== null) return REDACTED;
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return serializeError(value, depth);
  if (depth >= MAX_DEPTH) return '[depth]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (value instanceof URL) return scrubUrl(value);
  if (value instanceof Date) return value;
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (value instanceof Map) return sanitize(Object.fromEntries(value), key, depth, seen);
  if (value instanceof Set) return sanitize([...value], key, depth, seen);
  if (Array.isArray(value)) return value.map((v) => sanitize(v, '', depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (OPAQUE_KEYS.has(k) && v !== null && typeof v === 'object' && !isPlainObject(v)) {
      out[k] =
        k === 'options'
          ? { method: (v as ErrorLike['options'])?.method, url: scrubUrl((v as ErrorLike['options'])?.url) }
          : '[omitted]';
      continue;
    }
    out[k] = sanitize(v, k, depth + 1, seen);
  }
  return out;
}
