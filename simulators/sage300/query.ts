import {
  ODataSyntaxError,
  compileFilter,
  keyEqualities,
  keyLowerBound,
  parseFilter,
  propertiesOf,
  tokenize,
  type Collation,
  type Expr,
  type PropType,
  type PropTypes,
} from './filter-parser.js';
import type { LazyTable, Key, Row } from './table.js';

export class QueryError extends Error {
  override readonly name = 'QueryError';
}

export interface SetInfo {
  module: string;
  set: string;
  key: string;
  entityType: string;
  props: PropTypes;
}

const KNOWN_OPTIONS = new Set([
  '$filter',
  '$select',
  '$orderby',
  '$top',
  '$skip',
  '$count',
  '$expand',
  '$format',
]);

/** Property types from a full sample row: what ODataLib reads from $metadata. */
export function propTypesOf(sample: Row): Map<string, PropType> {
  const types = new Map<string, PropType>();
  for (const [name, v] of Object.entries(sample)) {
    if (Array.isArray(v)) types.set(name, 'collection');
    else if (typeof v === 'number') types.set(name, 'number');
    else if (typeof v === 'boolean') types.set(name, 'boolean');
    else if (/Date/.test(name) && (v === null || (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v))))
      types.set(name, 'date');
    else types.set(name, 'string');
  }
  return types;
}

export interface ParsedQuery {
  filter?: Expr;
  select?: string[];
  orderby: { prop: string; desc: boolean }[];
  top?: number;
  skip: number;
  count: boolean;
  /** The options as received, in order, to rebuild a nextLink. */
  raw: [string, string][];
}

function wholeNumber(name: string, v: string): number {
  if (!/^\d+$/.test(v))
    throw new QueryError(`Invalid value '${v}' for ${name} query option: must be a whole number >= 0.`);
  return Number(v);
}

export function parseQuery(search: URLSearchParams, info: SetInfo, keyOnly = false): ParsedQuery {
  const raw: [string, string][] = [];
  const seen = new Set<string>();
  for (const [name, value] of search) {
    if (!name.startsWith('$')) continue; // ASP.NET ignores other parameters
    const lower = name.toLowerCase();
    if (!KNOWN_OPTIONS.has(lower)) throw new QueryError(`The query parameter '${name}' is not supported.`);
    if (seen.has(lower))
      throw new QueryError(
        `Query option '${name}' was specified more than once, but it must be specified at most once.`,
      );
    seen.add(lower);
    raw.push([lower, value]);
  }
  const get = (n: string) => raw.find(([k]) => k === n)?.[1];
  const expand = get('$expand');
  if (expand !== undefined) {
    const first = expand.split(',')[0]!.trim();
    throw new QueryError(
      `The query specified in the URI is not valid. Property '${first}' on type '${info.entityType}' is not a navigation property or complex property. Only navigation properties can be expanded.`,
    );
  }
  if (keyOnly) {
    for (const [k] of raw)
      if (k !== '$select' && k !== '$format')
        throw new QueryError(`Query option '${k}' is not allowed when reading one entity by key.`);
  }
  const parsed: ParsedQuery = { orderby: [], skip: 0, count: false, raw };
  const filterText = get('$filter');
  if (filterText !== undefined) {
    try {
      parsed.filter = parseFilter(filterText, info.props, info.entityType);
    } catch (err) {
      if (err instanceof ODataSyntaxError)
        throw new QueryError(`The query specified in the URI is not valid. ${err.message}`);
      throw err;
    }
  }
  const select = get('$select');
  if (select !== undefined && select.trim() !== '' && select.trim() !== '*') {
    parsed.select = select.split(',').map((s) => s.trim());
    for (const p of parsed.select) {
      if (!info.props.has(p))
        throw new QueryError(`Could not find a property named '${p}' on type '${info.entityType}'.`);
    }
  }
  const orderby = get('$orderby');
  if (orderby !== undefined) {
    for (const item of orderby.split(',')) {
      const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(asc|desc))?\s*$/.exec(item);
      if (!m) throw new QueryError(`Syntax error in $orderby at '${item.trim()}'.`);
      const type = info.props.get(m[1]!);
      if (!type)
        throw new QueryError(`Could not find a property named '${m[1]}' on type '${info.entityType}'.`);
      if (type === 'collection')
        throw new QueryError(`The $orderby expression must evaluate to a single value of primitive type.`);
      parsed.orderby.push({ prop: m[1]!, desc: m[2] === 'desc' });
    }
  }
  const top = get('$top');
  if (top !== undefined) parsed.top = wholeNumber('$top', top);
  const skip = get('$skip');
  if (skip !== undefined) parsed.skip = wholeNumber('$skip', skip);
  const count = get('$count');
  if (count !== undefined) {
    if (count !== 'true' && count !== 'false')
      throw new QueryError(`'${count}' is not a valid count option.`);
    parsed.count = count === 'true';
  }
  return parsed;
}

function compareValues(a: unknown, b: unknown): number {
  // Nulls first, as SQL Server sorts them.
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

export interface QueryResult {
  rows: Row[];
  count?: number;
  /** More rows match beyond this page. */
  more: boolean;
}

/**
 * Runs a query against a table. In key order (the default, and what keyset paging asks for) it
 * starts at the key bound found in the filter and stops after one row past the page, so a page
 * costs about its own size even on 100,000 rows, unless $count needs every match. A filter that
 * reads only the table's searchable columns is tested on their narrow copy; only matches are made.
 */
function* positionsFrom(start: number, end: number): Generator<number> {
  for (let p = start; p < end; p++) yield p;
}

/** The positions from `start` a filter naming keys can match, in key order; undefined: scan. */
function keySeek(
  table: LazyTable,
  filter: Expr | undefined,
  key: string,
  start: number,
): number[] | undefined {
  const values = keyEqualities(filter, key);
  if (!values) return undefined;
  const positions = new Set(values.flatMap((v) => table.positionsMatching(v)));
  return [...positions].filter((p) => p >= start).sort((a, b) => a - b);
}

export function runQuery(
  table: LazyTable,
  info: SetInfo,
  q: ParsedQuery,
  pageSize: number,
  collation: Collation = 'ci',
): QueryResult {
  const limit = Math.min(q.top ?? Number.POSITIVE_INFINITY, pageSize);
  const test = q.filter ? compileFilter(q.filter, collation) : undefined;
  const narrowColumns = new Set([info.key, ...table.searchable]);
  const narrow =
    test && table.searchable.length > 0 && [...propertiesOf(q.filter!)].every((p) => narrowColumns.has(p));
  const matchesAt = (p: number) => !test || test(narrow ? table.narrowAt(p) : table.at(p));
  const keyOrder =
    q.orderby.length === 0 ||
    (q.orderby.length === 1 && q.orderby[0]!.prop === info.key && !q.orderby[0]!.desc);
  if (keyOrder) {
    const bound = keyLowerBound(q.filter, info.key);
    const start = bound ? table.lowerBound(bound.value as Key, bound.inclusive) : 0;
    const rows: Row[] = [];
    let matched = 0;
    let more = false;
    for (const p of keySeek(table, q.filter, info.key, start) ?? positionsFrom(start, table.size)) {
      if (!matchesAt(p)) continue;
      matched++;
      if (matched <= q.skip) continue;
      if (rows.length < limit) rows.push(table.at(p));
      else {
        more = true;
        if (!q.count) break;
      }
    }
    return { rows, more, ...(q.count ? { count: matched } : {}) };
  }
  const all: Row[] = [];
  for (let p = 0; p < table.size; p++) if (matchesAt(p)) all.push(table.at(p));
  all.sort((a, b) => {
    for (const o of q.orderby) {
      const c = compareValues(a[o.prop], b[o.prop]);
      if (c !== 0) return o.desc ? -c : c;
    }
    return compareValues(a[info.key], b[info.key]);
  });
  const rows = all.slice(q.skip, q.skip + (Number.isFinite(limit) ? limit : all.length));
  return { rows, more: all.length > q.skip + rows.length, ...(q.count ? { count: all.length } : {}) };
}

export function project(row: Row, select: string[] | undefined): Row {
  if (!select) return row;
  const out: Row = {};
  for (const p of select) out[p] = row[p];
  return out;
}

/** Parses `('O''NEIL01')`, `(41217)`, bare `(1200)` or `(CustomerNumber='1200')` into a key value. */
export function parseKeySegment(text: string, info: SetInfo): Key {
  let body = text.trim();
  const named = new RegExp(`^${info.key}\\s*=\\s*`).exec(body);
  if (named) body = body.slice(named[0].length);
  const numeric = info.props.get(info.key) === 'number';
  if (body.startsWith("'")) {
    const tokens = tokenize(body);
    const t = tokens[0]!;
    if (t.kind !== 'string' || tokens[1]!.kind !== 'end')
      throw new QueryError(`The key value '${text}' is not valid.`);
    if (numeric) {
      if (!/^\d+$/.test(t.value))
        throw new QueryError(`The key value '${text}' is not valid for ${info.key}.`);
      return Number(t.value);
    }
    return t.value;
  }
  if (numeric) {
    if (!/^\d+$/.test(body)) throw new QueryError(`The key value '${text}' is not valid for ${info.key}.`);
    return Number(body);
  }
  // Sage accepts unquoted string keys without spaces.
  if (!/^[^\s'()]+$/.test(body)) throw new QueryError(`The key value '${text}' is not valid.`);
  return body;
}
