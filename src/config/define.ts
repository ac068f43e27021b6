import { z } from 'zod';

/** One setting: the environment variable that carries it, its schema and a line of documentation. */
export interface EnvSetting<S extends z.ZodType = z.ZodType> {
  readonly variable: string;
  readonly schema: S;
  readonly doc: string;
  /** Secrets are never printed by `config` and are masked in `credentials show`. */
  readonly secret?: boolean;
}

export function setting<S extends z.ZodType>(
  variable: string,
  schema: S,
  doc: string,
  options: { secret?: boolean } = {},
): EnvSetting<S> {
  return { variable, schema, doc, ...options };
}

export type SectionShape = Record<string, EnvSetting>;
export type SectionValue<T extends SectionShape> = { [K in keyof T]: z.output<T[K]['schema']> };

/** The raw variables a configuration is read from (environment, config file, credentials store). */
export type RawSettings = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(
      problems.length === 1
        ? `Invalid configuration: ${problems[0]}`
        : `Invalid configuration:\n  ${problems.join('\n  ')}`,
    );
  }
}

/**
 * Parses one section. Every problem names the variable, so the user knows exactly what to fix;
 * values are never echoed for secrets.
 */
export function readSection<T extends SectionShape>(
  shape: T,
  raw: RawSettings,
  problems: string[],
): SectionValue<T> {
  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(shape)) {
    const value = raw[def.variable];
    const input = value === undefined || value.trim() === '' ? undefined : value.trim();
    const parsed = def.schema.safeParse(input);
    if (parsed.success) {
      out[key] = parsed.data;
    } else {
      const reason = parsed.error.issues.map((i) => i.message).join('; ');
      const shown = def.secret || input === undefined ? '' : ` (got "${input}")`;
      problems.push(`${def.variable}: ${reason}${shown}`);
    }
  }
  return out as SectionValue<T>;
}

// Reusable field schemas. Environment values are strings, so coercion is explicit and strict.

export const boolFromEnv = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1' || v === 'yes'));

export const intFromEnv = <F extends number | undefined>(
  fallback: F,
  opts: { min?: number; max?: number } = {},
) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .optional()
    .transform((v): number | F => (v === undefined ? fallback : Number(v)))
    .refine((n) => n === undefined || opts.min === undefined || n >= opts.min, {
      message: `must be at least ${opts.min}`,
    })
    .refine((n) => n === undefined || opts.max === undefined || n <= opts.max, {
      message: `must be at most ${opts.max}`,
    });

export const optionalString = () => z.string().optional();

export const httpUrl = (example: string) =>
  z
    .string()
    .refine(
      (v) => {
        try {
          const u = new URL(v);
          return u.protocol === 'http:' || u.protocol === 'https:';
        } catch {
          return false;
        }
      },
      { message: `must be an http(s) URL, for example ${example}` },
    )
    .transform((v) => v.replace(/\/+$/, ''));

/** Temporal durations as the SDK accepts them: 90s, 5m, 1h, 2d. */
export const duration = (fallback: string) =>
  z
    .string()
    .regex(/^\d+(ms|s|m|h|d)$/, { message: 'must be a duration such as 30s, 5m, 1h or 2d' })
    .default(fallback);
