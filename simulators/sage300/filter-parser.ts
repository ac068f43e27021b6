/**
 * OData v4 `$filter` for the simulator: a tokenizer and a recursive-descent parser producing an AST,
 * type-checked against the entity's properties the way ODataLib does (unknown property or mixed
 * types = 400), and an evaluator. Precedence: not > comparison > and > or.
 */

export type PropType = 'string' | 'number' | 'boolean' | 'date' | 'collection';
export type PropTypes = ReadonlyMap<string, PropType>;

export class ODataSyntaxError extends Error {
  override readonly name = 'ODataSyntaxError';
}

type Token =
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'date'; value: number; text: string; pos: number }
  | { kind: 'ident'; value: string; pos: number }
  | { kind: 'punct'; value: '(' | ')' | ','; pos: number }
  | { kind: 'end'; pos: number };

const DATE_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2}))?/;
const NUMBER_RE = /^-?\d+(\.\d+)?([eE][+-]?\d+)?[mMdDfFlL]?/;
const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*/;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ kind: 'punct', value: ch, pos: i });
      i++;
      continue;
    }
    if (ch === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new ODataSyntaxError(`Unterminated string literal at position ${i}`);
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += text[j];
        j++;
      }
      tokens.push({ kind: 'string', value, pos: i });
      i = j + 1;
      continue;
    }
    const rest = text.slice(i);
    const date = DATE_RE.exec(rest);
    if (date) {
      const iso = date[1] ? date[0] : `${date[0]}T00:00:00Z`;
      const ms = Date.parse(iso);
      if (Number.isNaN(ms)) throw new ODataSyntaxError(`Invalid date literal '${date[0]}' at position ${i}`);
      tokens.push({ kind: 'date', value: ms, text: date[0], pos: i });
      i += date[0].length;
      continue;
    }
    const num = NUMBER_RE.exec(rest);
    if (num) {
      tokens.push({ kind: 'number', value: Number(num[0].replace(/[mMdDfFlL]$/, '')), pos: i });
      i += num[0].length;
      continue;
    }
    const ident = IDENT_RE.exec(rest);
    if (ident) {
      // v3 typed literals (datetime'...', guid'...') are not v4 syntax; ODataLib rejects them.
      if (text[i + ident[0].length] === "'") {
        throw new ODataSyntaxError(
          `Unrecognized literal ${ident[0]}'...' at position ${i}: typed literals such as datetime'...' are OData v3; ` +
            `write dates bare, for example 2025-01-31T00:00:00Z`,
        );
      }
      tokens.push({ kind: 'ident', value: ident[0], pos: i });
      i += ident[0].length;
      continue;
    }
    throw new ODataSyntaxError(`Syntax error: character '${ch}' is not valid at position ${i}`);
  }
  tokens.push({ kind: 'end', pos: text.length });
  return tokens;
}

export type Literal = string | number | boolean | null;
export type ValueType = PropType | 'null';

export type Expr =
  | { type: 'literal'; value: Literal; valueType: ValueType }
  | { type: 'property'; name: string; valueType: PropType }
  | { type: 'compare'; op: CompareOp; left: Expr; right: Expr }
  | { type: 'and' | 'or'; left: Expr; right: Expr }
  | { type: 'not'; operand: Expr }
  | { type: 'call'; fn: string; args: Expr[]; valueType: ValueType };

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
const COMPARE_OPS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

const FUNCTIONS: Record<string, { args: ValueType[]; result: ValueType }> = {
  startswith: { args: ['string', 'string'], result: 'boolean' },
  endswith: { args: ['string', 'string'], result: 'boolean' },
  contains: { args: ['string', 'string'], result: 'boolean' },
  length: { args: ['string'], result: 'number' },
  tolower: { args: ['string'], result: 'string' },
  toupper: { args: ['string'], result: 'string' },
  trim: { args: ['string'], result: 'string' },
};

function typeOf(e: Expr): ValueType {
  switch (e.type) {
    case 'literal':
    case 'property':
    case 'call':
      return e.valueType;
    default:
      return 'boolean';
  }
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly props: PropTypes,
    private readonly entityType: string,
  ) {}

  parse(): Expr {
    const e = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'end')
      throw new ODataSyntaxError(`Syntax error at position ${t.pos}: unexpected ${describe(t)}`);
    this.expectBoolean(e);
    return e;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }
  private next(): Token {
    return this.tokens[this.i++]!;
  }
  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.value === word;
  }
  private expectPunct(p: '(' | ')' | ','): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.value !== p) {
      throw new ODataSyntaxError(`Syntax error at position ${t.pos}: expected '${p}', found ${describe(t)}`);
    }
  }
  private expectBoolean(e: Expr): void {
    if (typeOf(e) !== 'boolean') {
      throw new ODataSyntaxError(`The expression must be a boolean condition, found ${typeOf(e)}`);
    }
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isKeyword('or')) {
      this.next();
      const right = this.parseAnd();
      this.expectBoolean(left);
      this.expectBoolean(right);
      left = { type: 'or', left, right };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isKeyword('and')) {
      this.next();
      const right = this.parseNot();
      this.expectBoolean(left);
      this.expectBoolean(right);
      left = { type: 'and', left, right };
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.isKeyword('not')) {
      this.next();
      const operand = this.parseNot();
      this.expectBoolean(operand);
      return { type: 'not', operand };
    }
    return this.parseComparison();
  }

  private parseComparison(): Expr {
    const left = this.parsePrimary();
    const t = this.peek();
    if (t.kind === 'ident' && COMPARE_OPS.has(t.value)) {
      this.next();
      const right = this.parsePrimary();
      this.checkComparable(left, right, t.value);
      return { type: 'compare', op: t.value as CompareOp, left, right };
    }
    return left;
  }

  private checkComparable(left: Expr, right: Expr, op: string): void {
    const a = typeOf(left);
    const b = typeOf(right);
    if (a === 'collection' || b === 'collection') {
      throw new ODataSyntaxError(`A collection property cannot be compared with '${op}'`);
    }
    if (a === 'null' || b === 'null') {
      if (op !== 'eq' && op !== 'ne') throw new ODataSyntaxError(`null can only be compared with eq or ne`);
      return;
    }
    if (a !== b) {
      throw new ODataSyntaxError(
        `A binary operator with incompatible types was detected. Found operand types '${edm(a)}' and '${edm(b)}' for operator kind '${op}'.`,
      );
    }
  }

  private parsePrimary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'string':
        return { type: 'literal', value: t.value, valueType: 'string' };
      case 'number':
        return { type: 'literal', value: t.value, valueType: 'number' };
      case 'date':
        return { type: 'literal', value: t.value, valueType: 'date' };
      case 'punct':
        if (t.value === '(') {
          const inner = this.parseOr();
          this.expectPunct(')');
          return inner;
        }
        throw new ODataSyntaxError(`Syntax error at position ${t.pos}: unexpected '${t.value}'`);
      case 'end':
        throw new ODataSyntaxError(`Syntax error: the expression ends too early`);
      case 'ident':
        break;
    }
    const word = t.value;
    if (word === 'true' || word === 'false')
      return { type: 'literal', value: word === 'true', valueType: 'boolean' };
    if (word === 'null') return { type: 'literal', value: null, valueType: 'null' };
    const after = this.peek();
    if (after.kind === 'punct' && after.value === '(') return this.parseCall(word, t.pos);
    const propType = this.props.get(word);
    if (!propType) {
      throw new ODataSyntaxError(`Could not find a property named '${word}' on type '${this.entityType}'.`);
    }
    return { type: 'property', name: word, valueType: propType };
  }

  private parseCall(fn: string, pos: number): Expr {
    const spec = FUNCTIONS[fn];
    if (!spec) throw new ODataSyntaxError(`Unknown function '${fn}' at position ${pos}`);
    this.expectPunct('(');
    const args: Expr[] = [];
    if (!(this.peek().kind === 'punct' && (this.peek() as { value: string }).value === ')')) {
      args.push(this.parseOr());
      while (this.peek().kind === 'punct' && (this.peek() as { value: string }).value === ',') {
        this.next();
        args.push(this.parseOr());
      }
    }
    this.expectPunct(')');
    if (args.length !== spec.args.length) {
      throw new ODataSyntaxError(
        `Function '${fn}' takes ${spec.args.length} argument(s), got ${args.length}`,
      );
    }
    args.forEach((a, k) => {
      const got = typeOf(a);
      if (got !== spec.args[k] && got !== 'null') {
        throw new ODataSyntaxError(
          `Function '${fn}' argument ${k + 1} must be ${edm(spec.args[k]!)}, found ${edm(got)}`,
        );
      }
    });
    return { type: 'call', fn, args, valueType: spec.result };
  }
}

function edm(t: ValueType): string {
  return (
    {
      string: 'Edm.String',
      number: 'Edm.Decimal',
      boolean: 'Edm.Boolean',
      date: 'Edm.DateTimeOffset',
      collection: 'Collection',
      null: 'null',
    } as const
  )[t];
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'end':
      return 'the end of the expression';
    case 'string':
      return `'${t.value}'`;
    case 'date':
      return t.text;
    default:
      return String(t.value);
  }
}

export function parseFilter(text: string, props: PropTypes, entityType = 'Entity'): Expr {
  return new Parser(tokenize(text), props, entityType).parse();
}

type Value = string | number | boolean | null;
type Row = Record<string, unknown>;

/**
 * How string values compare, as the company database's SQL Server collation decides. `ci` is SQL
 * Server's default (SQL_Latin1_General_CP1_CI_AS): `eq`, `ne` and the text functions ignore case.
 * `binary` is Latin1_General_BIN, what Sage sets when a Pervasive database is moved to SQL Server:
 * case counts. Either way `eq`/`ne` ignore trailing spaces (SQL pads the shorter string) but not
 * leading ones. Ordering (`gt`, `lt`..., keyset paging, $orderby) stays ordinal in both: the
 * simulator serves keys in ordinal order.
 */
export type Collation = 'ci' | 'binary';

const trimEnd = (s: string) => s.replace(/ +$/, '');

/** A filter compiled once per query into closures: a 100,000-row scan runs no tree walk per row. */
export function compileFilter(e: Expr, collation: Collation = 'ci'): (row: Row) => boolean {
  // An address lookup tests Email and ContactsEmail against many literals per row: the last two
  // values folded are kept, literals are folded once here.
  let lastA: string | undefined;
  let lastB: string | undefined;
  let foldedA = '';
  let foldedB = '';
  const lower = (s: string) => {
    if (s === lastA) return foldedA;
    if (s === lastB) return foldedB;
    lastB = lastA;
    foldedB = foldedA;
    lastA = s;
    foldedA = s.toLowerCase();
    return foldedA;
  };
  const fold = collation === 'ci' ? lower : (s: string) => s;
  const equalityKey = (s: string) => fold(trimEnd(s));
  /** A string operand, folded (or keyed for equality) once if it is a literal. */
  const operand = (x: Expr, as: (s: string) => string): ((row: Row) => Value) => {
    if (x.type === 'literal' && typeof x.value === 'string') {
      const v = as(x.value);
      return () => v;
    }
    const get = value(x);
    return (row) => {
      const v = get(row);
      return v === null ? null : as(v as string);
    };
  };

  function value(x: Expr): (row: Row) => Value {
    switch (x.type) {
      case 'literal': {
        const v = x.value;
        return () => v;
      }
      case 'property': {
        const { name, valueType } = x;
        if (valueType === 'date') {
          return (row) => {
            const v = row[name];
            return typeof v === 'string' ? Date.parse(v) : null;
          };
        }
        return (row) => {
          const v = row[name];
          return v === undefined || v === null ? null : (v as Value);
        };
      }
      case 'call':
        return call(x);
      default: {
        const test = bool(x);
        return (row) => test(row);
      }
    }
  }

  function call(x: Extract<Expr, { type: 'call' }>): (row: Row) => Value {
    const args = x.args.map(value);
    const nullResult = x.valueType === 'boolean' ? false : null;
    const text = (fn: (a: string, b: string) => Value) => {
      const [a, b] = [operand(x.args[0]!, fold), operand(x.args[1]!, fold)];
      return (row: Row): Value => {
        const va = a(row);
        const vb = b(row);
        return va === null || vb === null ? nullResult : fn(va as string, vb as string);
      };
    };
    const unary = (fn: (a: string) => Value) => {
      const [a] = args as [(row: Row) => Value];
      return (row: Row): Value => {
        const va = a(row);
        return va === null ? nullResult : fn(va as string);
      };
    };
    switch (x.fn) {
      case 'startswith':
        return text((a, b) => a.startsWith(b));
      case 'endswith':
        return text((a, b) => a.endsWith(b));
      case 'contains':
        return text((a, b) => a.includes(b));
      case 'length':
        return unary((a) => a.length);
      case 'tolower':
        return unary((a) => a.toLowerCase());
      case 'toupper':
        return unary((a) => a.toUpperCase());
      case 'trim':
        return unary((a) => a.trim());
    }
    return () => null;
  }

  function comparison(x: Extract<Expr, { type: 'compare' }>): (row: Row) => boolean {
    const left = value(x.left);
    const right = value(x.right);
    const { op } = x;
    const strings = typeOf(x.left) === 'string' || typeOf(x.right) === 'string';
    if (strings && (op === 'eq' || op === 'ne')) {
      const want = op === 'eq';
      const [a, b] = [operand(x.left, equalityKey), operand(x.right, equalityKey)];
      return (row) => {
        return (a(row) === b(row)) === want;
      };
    }
    return (row) => compare(op, left(row), right(row));
  }

  function bool(x: Expr): (row: Row) => boolean {
    switch (x.type) {
      case 'and': {
        const [l, r] = [bool(x.left), bool(x.right)];
        return (row) => l(row) && r(row);
      }
      case 'or': {
        const [l, r] = [bool(x.left), bool(x.right)];
        return (row) => l(row) || r(row);
      }
      case 'not': {
        const inner = bool(x.operand);
        return (row) => !inner(row);
      }
      case 'compare':
        return comparison(x);
      default: {
        const v = value(x);
        return (row) => v(row) === true;
      }
    }
  }

  return bool(e);
}

function compare(op: CompareOp, a: Value, b: Value): boolean {
  if (a === null || b === null) {
    if (op === 'eq') return a === b;
    if (op === 'ne') return a !== b;
    return false;
  }
  // Ordinal comparison, like the key order the simulator serves.
  const c = a < b ? -1 : a > b ? 1 : 0;
  switch (op) {
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
    case 'gt':
      return c > 0;
    case 'ge':
      return c >= 0;
    case 'lt':
      return c < 0;
    case 'le':
      return c <= 0;
  }
}

export function evaluate(e: Expr, row: Row, collation: Collation = 'ci'): boolean {
  return compileFilter(e, collation)(row);
}

/** The properties a filter reads (to tell whether a narrow copy of the rows can answer it). */
export function propertiesOf(e: Expr, into = new Set<string>()): Set<string> {
  switch (e.type) {
    case 'property':
      into.add(e.name);
      break;
    case 'compare':
    case 'and':
    case 'or':
      propertiesOf(e.left, into);
      propertiesOf(e.right, into);
      break;
    case 'not':
      propertiesOf(e.operand, into);
      break;
    case 'call':
      for (const a of e.args) propertiesOf(a, into);
      break;
  }
  return into;
}

/**
 * The tightest lower bound on `key` implied by top-level `and` terms (`Key gt 'X'`, `Key ge 'X'`), so
 * a keyset page can start with a binary search instead of scanning every row.
 */
/**
 * The key values a filter confines the key to (`Key eq 'A' or Key eq 'B'`, possibly within an
 * `and`), or undefined when it does not: such a query is a key seek, not a scan.
 */
export function keyEqualities(e: Expr | undefined, key: string): Array<string | number> | undefined {
  if (!e) return undefined;
  if (e.type === 'or') {
    const a = keyEqualities(e.left, key);
    const b = a && keyEqualities(e.right, key);
    return a && b ? [...a, ...b] : undefined;
  }
  if (e.type === 'and') return keyEqualities(e.left, key) ?? keyEqualities(e.right, key);
  if (e.type !== 'compare' || e.op !== 'eq') return undefined;
  const [prop, lit] = e.left.type === 'property' ? [e.left, e.right] : [e.right, e.left];
  if (prop.type !== 'property' || prop.name !== key || lit.type !== 'literal') return undefined;
  const v = lit.value;
  return typeof v === 'string' || typeof v === 'number' ? [v] : undefined;
}

export function keyLowerBound(
  e: Expr | undefined,
  key: string,
): { value: string | number; inclusive: boolean } | undefined {
  if (!e) return undefined;
  if (e.type === 'and') {
    const a = keyLowerBound(e.left, key);
    const b = keyLowerBound(e.right, key);
    if (!a || !b) return a ?? b;
    if (a.value === b.value) return { value: a.value, inclusive: a.inclusive && b.inclusive };
    return a.value > b.value ? a : b;
  }
  if (e.type !== 'compare' || (e.op !== 'gt' && e.op !== 'ge')) return undefined;
  if (e.left.type !== 'property' || e.left.name !== key || e.right.type !== 'literal') return undefined;
  const v = e.right.value;
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  return { value: v, inclusive: e.op === 'ge' };
}
