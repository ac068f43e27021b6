import { createHash, randomBytes } from 'node:crypto';
import { ApiProblem, invalidResource, type FieldError } from './problems.js';

export type Json = Record<string, unknown>;

/** The body as an object, or the 400 Mailchimp gives for a missing/non-object body. */
export function objectBody(body: unknown): Json {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidResource([{ field: '', message: 'Schema describes object, NULL found instead' }]);
  }
  return body as Json;
}

/** Collects schema-style field errors and throws one Invalid Resource for all of them. */
export class FieldChecker {
  readonly errors: FieldError[] = [];
  constructor(private readonly body: Json) {}

  required(...fields: string[]): this {
    const missing = fields.filter((f) => getPath(this.body, f) === undefined);
    if (missing.length) {
      this.errors.push({ field: '', message: `Required fields were not provided: ${missing.join(', ')}` });
    }
    return this;
  }

  type(field: string, type: 'string' | 'boolean' | 'number' | 'integer' | 'object' | 'array'): this {
    const v = getPath(this.body, field);
    if (v === undefined) return this;
    const ok =
      type === 'array'
        ? Array.isArray(v)
        : type === 'object'
          ? typeof v === 'object' && v !== null && !Array.isArray(v)
          : type === 'integer'
            ? Number.isInteger(v)
            : typeof v === type;
    if (!ok) this.errors.push({ field, message: `Schema describes ${type}, ${describe(v)} found instead` });
    return this;
  }

  oneOf(field: string, allowed: readonly string[]): this {
    const v = getPath(this.body, field);
    if (v === undefined) return this;
    if (typeof v !== 'string' || !allowed.includes(v)) {
      this.errors.push({
        field,
        message: `Data did not match any of the schemas described in anyOf: ${allowed.join(', ')}`,
      });
    }
    return this;
  }

  throwIfAny(): void {
    if (this.errors.length) throw invalidResource(this.errors);
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function getPath(obj: Json, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Json)[part];
  }
  return cur;
}

export function subscriberHash(email: string): string {
  return createHash('md5').update(email.trim().toLowerCase()).digest('hex');
}

export function hexId(bytes = 5): string {
  return randomBytes(bytes).toString('hex');
}

/** Mailchimp's timestamp style: ISO 8601 without milliseconds, `+00:00` offset. */
export function mcTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** `count`/`offset` paging as Mailchimp applies it (count default 10, max 1000). */
export function paging(query: URLSearchParams): { count: number; offset: number } {
  const count = Math.min(1000, Math.max(0, intParam(query, 'count') ?? 10));
  const offset = Math.max(0, intParam(query, 'offset') ?? 0);
  return { count, offset };
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) {
    throw new ApiProblem(400, 'Invalid Resource', `The value for '${name}' must be an integer.`);
  }
  return n;
}

export function boolParam(query: URLSearchParams, name: string): boolean {
  const raw = query.get(name);
  return raw === 'true' || raw === '1';
}
