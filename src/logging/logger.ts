import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';
import { maskEmail } from './mask.js';

export type { Logger } from 'pino';

/** Paths pino removes before a line is written; got errors carry request options with headers and auth. */
export const REDACT_PATHS = [
  'password',
  'apiKey',
  'token',
  'oauthToken',
  'masterKey',
  'secret',
  'authorization',
  'Authorization',
  '*.password',
  '*.apiKey',
  '*.token',
  '*.oauthToken',
  '*.masterKey',
  '*.secret',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'err.options',
  'err.request',
  'err.response.request',
  'err.timings',
  'options.headers',
  'options.username',
  'options.password',
];

/** Walks a log object and masks every email address in every string. */
function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.includes('@') ? maskEmail(value) : value;
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, depth + 1);
  return out;
}

export interface CreateLoggerOptions {
  level?: string;
  name?: string;
  base?: Record<string, unknown>;
  destination?: DestinationStream;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const pinoOptions: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    name: options.name ?? 'ml-connector',
    base: { pid: process.pid, ...options.base },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { log: (obj) => maskDeep(obj) as Record<string, unknown> },
    serializers: {
      err: (err: Error & Record<string, unknown>) => ({
        type: err.name,
        message: maskEmail(String(err.message ?? '')),
        code: err.code,
        stack: err.stack ? maskEmail(err.stack) : undefined,
      }),
    },
    hooks: {
      // Messages are masked too: a template string can carry an email as easily as a field.
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === 'string' && a.includes('@') ? maskEmail(a) : a));
        return method.apply(this, masked as Parameters<typeof method>);
      },
    },
  };
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}
