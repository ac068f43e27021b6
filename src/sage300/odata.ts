/**
 * OData v4 literals and a small filter builder. Every value that reaches a `$filter` goes through
 * `odataLiteral`, so a customer number such as O'NEIL01 can never break out of its string.
 */

export type ODataValue = string | number | boolean | Date | null | { enum: string };

const FIELD_RE = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)*$/;

export class ODataBuildError extends Error {
  override readonly name = 'ODataBuildError';
}

function quoteString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Sage dates are day precision and serialize as `...T00:00:00Z`; milliseconds only add noise. */
function dateLiteral(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new ODataBuildError('Invalid Date cannot be used in a filter');
  return d.toISOString().replace(/\.000Z$/, 'Z');
}

function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new ODataBuildError(`${n} cannot be used in a filter`);
  // String() switches to exponent form beyond 1e21 and below 1e-6; OData accepts only plain decimals there.
  if (Math.abs(n) >= 1e21 || (n !== 0 && Math.abs(n) < 1e-6)) {
    throw new ODataBuildError(`${n} is out of the range this client writes as an OData literal`);
  }
  return String(n);
}

export function odataLiteral(value: ODataValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'number') return numberLiteral(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return dateLiteral(value);
  if (typeof value === 'object' && typeof value.enum === 'string') {
    // Sage compares enums by member name in quotes: OrderType ne 'Quote'.
    return quoteString(value.enum);
  }
  throw new ODataBuildError(`unsupported OData value: ${String(value)}`);
}

/** Checked property path, so a field name cannot smuggle filter syntax either. */
export function odataField(name: string): string {
  if (!FIELD_RE.test(name)) throw new ODataBuildError(`not a property name: ${JSON.stringify(name)}`);
  return name;
}

export class Filter {
  /** @param composite true for `a and b` / `a or b`, which need parentheses inside other expressions. */
  constructor(
    readonly text: string,
    readonly composite = false,
  ) {}
  toString(): string {
    return this.text;
  }
}

type FilterArg = Filter | string | undefined | null | false;

function asFilter(f: Filter | string): Filter {
  return typeof f === 'string' ? new Filter(f, true) : f;
}

function wrap(f: Filter): string {
  return f.composite ? `(${f.text})` : f.text;
}

function join(op: 'and' | 'or', parts: FilterArg[]): Filter {
  const present = parts.filter((p): p is Filter | string => Boolean(p)).map(asFilter);
  if (present.length === 0) throw new ODataBuildError(`F.${op} needs at least one filter`);
  if (present.length === 1) return present[0]!;
  return new Filter(present.map(wrap).join(` ${op} `), true);
}

const compare =
  (op: string) =>
  (field: string, value: ODataValue): Filter =>
    new Filter(`${odataField(field)} ${op} ${odataLiteral(value)}`);

const stringFunction =
  (fn: string) =>
  (field: string, s: string): Filter =>
    new Filter(`${fn}(${odataField(field)},${quoteString(s)})`);

export const F = {
  eq: compare('eq'),
  ne: compare('ne'),
  gt: compare('gt'),
  ge: compare('ge'),
  lt: compare('lt'),
  le: compare('le'),
  /** Falsy parts are skipped, so optional conditions compose without ifs. */
  and: (...parts: FilterArg[]): Filter => join('and', parts),
  or: (...parts: FilterArg[]): Filter => join('or', parts),
  not: (f: Filter | string): Filter => new Filter(`not (${asFilter(f).text})`),
  startswith: stringFunction('startswith'),
  endswith: stringFunction('endswith'),
  contains: stringFunction('contains'),
  /** Trusted, hand-written filter text (never user data). */
  raw: (text: string): Filter => new Filter(text, true),
};

export interface ODataQuery {
  filter?: Filter | string;
  select?: string[];
  orderby?: string[];
  top?: number;
  skip?: number;
  count?: boolean;
}

function nonNegativeInt(name: string, n: number): string {
  if (!Number.isInteger(n) || n < 0)
    throw new ODataBuildError(`${name} must be a whole number >= 0, got ${n}`);
  return String(n);
}

const ORDERBY_RE = /^([A-Za-z_][A-Za-z0-9_/]*)(\s+(asc|desc))?$/i;

/** The query part of a URL (no leading `?`), each option once, values percent-encoded. */
export function buildQueryString(q: ODataQuery): string {
  const parts: [string, string][] = [];
  if (q.filter !== undefined && String(q.filter).trim() !== '') parts.push(['$filter', String(q.filter)]);
  if (q.select && q.select.length > 0) parts.push(['$select', q.select.map(odataField).join(',')]);
  if (q.orderby && q.orderby.length > 0) {
    for (const o of q.orderby) {
      if (!ORDERBY_RE.test(o.trim())) throw new ODataBuildError(`not an $orderby item: ${JSON.stringify(o)}`);
    }
    parts.push(['$orderby', q.orderby.map((o) => o.trim().replace(/\s+/, ' ')).join(',')]);
  }
  if (q.top !== undefined) parts.push(['$top', nonNegativeInt('$top', q.top)]);
  if (q.skip !== undefined) parts.push(['$skip', nonNegativeInt('$skip', q.skip)]);
  if (q.count) parts.push(['$count', 'true']);
  return parts.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}
