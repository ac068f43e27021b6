import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';
import { redactValue } from './redact.js';

export type { Logger } from 'pino';
export { addSecretsToScrub } from './redact.js';

export interface CreateLoggerOptions {
  level?: string;
  destination?: DestinationStream;
  /** `json`, `pretty`, or `auto` (pretty when stdout is a terminal); LOG_FORMAT when unset. */
  format?: string;
}

/** The censor's path names the key only below the top level (`*` arrives as a symbol). */
const fieldName = (path: readonly (string | symbol)[]) => {
  const last = path.at(-1);
  return typeof last === 'string' ? last : '';
};

/** A person at a terminal reads lines; a log collector (a pipe, a file, Docker) reads JSON. */
function wantsPretty(format: string | undefined): boolean {
  if (format === 'json') return false;
  if (format === 'pretty') return true;
  return Boolean(process.stdout.isTTY);
}

/**
 * One line per entry, its fields after the message. Synchronous, so the lines written just before
 * the process exits are not lost; it formats what the redaction below has already cleaned.
 */
function prettyStdout(): DestinationStream {
  return pretty({
    destination: 1,
    sync: true,
    colorize: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,name',
  });
}

/**
 * Every logger goes through the one redaction layer (./redact.ts), called where pino shows it each
 * part of a line: `formatters.log` gets the fields of each call with their names; `redact` with the
 * `*` path is the only hook that also gets the message, child bindings and `%o` arguments (pino
 * runs no formatter on child bindings). `serializers.err` only stands in for pino's own (which would
 * copy got's request options, Authorization header included, back into the line): `formatters.log`
 * has already turned errors into safe objects. A child binding's value is
 * redacted by content and by the names nested in it, not by its own name, which pino does not pass
 * on: bindings are context (component, job ID), never credentials.
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const pinoOptions: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    name: 'ml-connector',
    base: { pid: process.pid },
    formatters: { log: (fields) => redactValue(fields) as Record<string, unknown> },
    serializers: { err: (err: unknown) => err },
    redact: { paths: ['*'], censor: (value, path) => redactValue(value, fieldName(path)) },
  };
  const destination =
    options.destination ??
    (wantsPretty(options.format ?? process.env.LOG_FORMAT) ? prettyStdout() : undefined);
  return destination ? pino(pinoOptions, destination) : pino(pinoOptions);
}
