import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';
import { REDACTED, sanitize, scrubText, serializeError } from './scrub.js';

export type { Logger } from 'pino';
export { addSecretsToScrub } from './scrub.js';

/**
 * Belt and braces: pino's own redaction of the well-known paths, applied after our sanitizer
 * (which already redacts sensitive keys at any depth and serializes errors without request
 * options, headers or bodies).
 */
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
  'err.response',
  'err.timings',
  'options.headers',
  'options.username',
  'options.password',
];

export interface CreateLoggerOptions {
  level?: string;
  name?: string;
  base?: Record<string, unknown>;
  destination?: DestinationStream;
}

const serializeAny = (v: unknown) =>
  v instanceof Error ? serializeError(v) : v && typeof v === 'object' ? v : sanitize(v);

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const pinoOptions: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    name: options.name ?? 'ml-connector',
    base: { pid: process.pid, ...options.base },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    formatters: {
      // Every field of every line, at any depth (and child-logger bindings below).
      log: (obj) => sanitize(obj) as Record<string, unknown>,
      bindings: (bindings) => sanitize(bindings) as Record<string, unknown>,
    },
    // The formatter has already turned errors into plain objects; these catch anything that did not.
    serializers: { err: serializeAny, error: serializeAny, cause: serializeAny },
    hooks: {
      // Messages are scrubbed too: a template string can carry an email or a token as easily as a field.
      logMethod(args, method) {
        const cleaned: unknown[] = args.map((a, i) =>
          typeof a === 'string' ? scrubText(a) : i > 0 && a && typeof a === 'object' ? sanitize(a) : a,
        );
        // pino would take the message of a lone error unscrubbed; give it the scrubbed one.
        if (cleaned[0] instanceof Error && typeof cleaned[1] !== 'string')
          cleaned.splice(1, 0, scrubText(cleaned[0].message));
        return method.apply(this, cleaned as Parameters<typeof method>);
      },
    },
  };
  const logger = options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
  // pino does not run the bindings formatter for child loggers: sanitize their bindings here.
  // Children are created with Object.create(parent), so they inherit this override.
  const pinoChild = logger.child;
  logger.child = function (this: Logger, bindings: Record<string, unknown>, opts?: unknown) {
    return pinoChild.call(this, sanitize(bindings) as Record<string, unknown>, opts as undefined);
  } as unknown as Logger['child'];
  return logger;
}
