/**
 * Parser for `application/x-www-form-urlencoded` bodies with PHP-style bracket keys, the shape
 * Mailchimp webhooks use: `data[merges][FNAME]=Ann`, `data[merges][GROUPINGS][0][name]=Topics`.
 *
 * Rules: `+` is a space; `%XX` sequences must decode to valid UTF-8; a repeated plain key keeps
 * its last value (as PHP does); `key[]` appends. Numeric segments build arrays only when they count
 * up from 0 without gaps; otherwise the container stays an object, so no sparse arrays can be
 * forced by a sender. Keys like `__proto__` are plain data (containers have no prototype while
 * parsing). Depth and field count are bounded.
 */

export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

export class FormParseError extends Error {
  override readonly name = 'FormParseError';
}

export interface ParseFormOptions {
  /** Most bracket levels in one key (Mailchimp uses at most 4). */
  maxDepth?: number;
  /** Most `key=value` pairs in one body. */
  maxFields?: number;
}

type Node = Map<string, Node | string>;

function decodeComponent(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new FormParseError(`malformed percent-encoding in "${raw.slice(0, 40)}"`);
  }
}

/** `data[merges][FNAME]` -> `['data', 'merges', 'FNAME']`; `a[]` -> `['a', '']`. */
export function splitKey(key: string, maxDepth: number): string[] {
  const open = key.indexOf('[');
  if (open <= 0) {
    if (key === '') throw new FormParseError('empty field name');
    return [key];
  }
  const segments = [key.slice(0, open)];
  let rest = key.slice(open);
  while (rest.length > 0) {
    const match = /^\[([^[\]]*)\]/.exec(rest);
    if (!match) throw new FormParseError(`malformed field name "${key.slice(0, 80)}"`);
    segments.push(match[1] ?? '');
    rest = rest.slice(match[0].length);
    if (segments.length - 1 > maxDepth)
      throw new FormParseError(`field name "${key.slice(0, 80)}" is nested too deeply`);
  }
  return segments;
}

function nextIndex(node: Node): string {
  let n = 0;
  while (node.has(String(n))) n++;
  return String(n);
}

function assign(root: Node, segments: string[], value: string, key: string): void {
  let node = root;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] === '' ? nextIndex(node) : (segments[i] as string);
    if (i === segments.length - 1) {
      if (node.get(segment) instanceof Map)
        throw new FormParseError(`field "${key.slice(0, 80)}" is both a value and a group`);
      node.set(segment, value);
      return;
    }
    let child = node.get(segment);
    if (child === undefined) {
      child = new Map();
      node.set(segment, child);
    } else if (typeof child === 'string') {
      throw new FormParseError(`field "${key.slice(0, 80)}" is both a value and a group`);
    }
    node = child;
  }
}

function isDenseIndexList(keys: string[]): boolean {
  return keys.length > 0 && keys.every((k, i) => k === String(i));
}

function toPlain(node: Node): FormObject | FormValue[] {
  const keys = [...node.keys()];
  const convert = (v: Node | string): FormValue => (typeof v === 'string' ? v : toPlain(v));
  if (isDenseIndexList(keys)) return keys.map((k) => convert(node.get(k) as Node | string));
  // defineProperty, not assignment: a key named __proto__ must stay an ordinary field.
  const out: FormObject = {};
  for (const k of keys)
    Object.defineProperty(out, k, {
      value: convert(node.get(k) as Node | string),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

export function parseFormBody(body: string, options: ParseFormOptions = {}): FormObject {
  const maxDepth = options.maxDepth ?? 8;
  const maxFields = options.maxFields ?? 1000;
  const root: Node = new Map();
  const pairs = body.split('&').filter((p) => p !== '');
  if (pairs.length > maxFields) throw new FormParseError(`more than ${maxFields} fields`);
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
    const key = decodeComponent(rawKey);
    const value = decodeComponent(rawValue);
    assign(root, splitKey(key, maxDepth), value, key);
  }
  const plain = toPlain(root);
  // The top level is always an object: a body of `0=a&1=b` is still named fields.
  if (Array.isArray(plain)) return Object.fromEntries(plain.map((v, i) => [String(i), v]));
  return plain;
}
