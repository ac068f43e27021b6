import { describe, expect, it } from '@jest/globals';
import {
  ODataSyntaxError,
  evaluate,
  keyLowerBound,
  parseFilter,
  tokenize,
  type PropType,
} from '../../simulators/sage300/filter-parser.js';

const props = new Map<string, PropType>([
  ['CustomerNumber', 'string'],
  ['CustomerName', 'string'],
  ['DateLastMaintained', 'date'],
  ['InactiveDate', 'date'],
  ['OrderUniquifier', 'number'],
  ['OnHold', 'boolean'],
  ['OrderDetails', 'collection'],
]);

const row = {
  CustomerNumber: "O'NEIL01",
  CustomerName: 'Zoë Dubois  ',
  DateLastMaintained: '2025-03-14T00:00:00Z',
  InactiveDate: null,
  OrderUniquifier: 41217,
  OnHold: false,
  OrderDetails: [],
};

const matches = (text: string) => evaluate(parseFilter(text, props, 'ARCustomer'), row);

describe('tokenize', () => {
  it('reads doubled quotes, numbers with suffixes, bare dates and identifiers', () => {
    const kinds = tokenize("X eq 'O''N' and Y gt 99.99m and Z ge 2025-01-01T00:00:00Z").map((t) => t.kind);
    expect(kinds).toEqual([
      'ident',
      'ident',
      'string',
      'ident',
      'ident',
      'ident',
      'number',
      'ident',
      'ident',
      'ident',
      'date',
      'end',
    ]);
    const str = tokenize("'O''NEIL01'")[0]!;
    expect(str).toMatchObject({ kind: 'string', value: "O'NEIL01" });
  });

  it('rejects v3 typed literals, unterminated strings and stray characters', () => {
    expect(() => tokenize("D gt datetime'2015-12-31T12:00'")).toThrow(/OData v3/);
    expect(() => tokenize("X eq 'open")).toThrow(/Unterminated/);
    expect(() => tokenize('X eq ;')).toThrow(ODataSyntaxError);
  });
});

describe('parseFilter + evaluate', () => {
  it('compares strings, numbers, booleans and dates', () => {
    expect(matches("CustomerNumber eq 'O''NEIL01'")).toBe(true);
    expect(matches("CustomerNumber ne 'O''NEIL01'")).toBe(false);
    expect(matches('OrderUniquifier gt 41216 and OrderUniquifier le 41217')).toBe(true);
    expect(matches('OnHold eq false')).toBe(true);
    expect(matches('DateLastMaintained ge 2025-03-14T00:00:00Z')).toBe(true);
    expect(matches('DateLastMaintained gt 2025-03-14T00:00:00Z')).toBe(false);
    expect(matches('DateLastMaintained lt 2025-03-15')).toBe(true);
    expect(matches('DateLastMaintained ge 2025-03-14T01:00:00+02:00')).toBe(true);
  });

  it('handles null, functions, not and precedence with parentheses', () => {
    expect(matches('InactiveDate eq null')).toBe(true);
    expect(matches('InactiveDate gt 2020-01-01T00:00:00Z')).toBe(false);
    expect(matches("startswith(CustomerNumber,'O''N')")).toBe(true);
    expect(matches("endswith(CustomerName,'Dubois')")).toBe(false);
    expect(matches("contains(CustomerName,'Zoë')")).toBe(true);
    expect(matches('length(CustomerName) eq 12')).toBe(true);
    expect(matches("not contains(CustomerName,'x')")).toBe(true);
    // and binds tighter than or
    expect(matches("CustomerNumber eq 'X' and OnHold eq true or OrderUniquifier eq 41217")).toBe(true);
    expect(matches("CustomerNumber eq 'X' and (OnHold eq true or OrderUniquifier eq 41217)")).toBe(false);
    expect(matches("not (CustomerNumber eq 'X') and tolower(CustomerNumber) eq 'o''neil01'")).toBe(true);
  });

  it('rejects unknown properties, mixed types and malformed expressions like ODataLib', () => {
    expect(() => parseFilter("Nope eq 'x'", props, 'ARCustomer')).toThrow(
      /Could not find a property named 'Nope' on type 'ARCustomer'/,
    );
    expect(() => parseFilter("DateLastMaintained ge '2025-01-01'", props)).toThrow(/incompatible types/);
    expect(() => parseFilter("OrderUniquifier eq '41217'", props)).toThrow(/incompatible types/);
    expect(() => parseFilter('OrderDetails eq null', props)).toThrow(/collection/);
    expect(() => parseFilter("CustomerNumber eq 'x' and", props)).toThrow(/ends too early/);
    expect(() => parseFilter("(CustomerNumber eq 'x'", props)).toThrow(/expected '\)'/);
    expect(() => parseFilter('CustomerNumber', props)).toThrow(/boolean/);
    expect(() => parseFilter("substringof('x',CustomerName)", props)).toThrow(/Unknown function/);
    expect(() => parseFilter('startswith(CustomerName)', props)).toThrow(/takes 2/);
    expect(() => parseFilter("CustomerNumber eq 'a' 'b'", props)).toThrow(/Syntax error/);
  });

  it('finds the key lower bound for keyset scans', () => {
    const bound = (t: string) => keyLowerBound(parseFilter(t, props), 'CustomerNumber');
    expect(bound("CustomerNumber gt 'C5' and OnHold eq false")).toEqual({ value: 'C5', inclusive: false });
    expect(bound("CustomerNumber ge 'C5' and CustomerNumber gt 'C7'")).toEqual({
      value: 'C7',
      inclusive: false,
    });
    expect(bound("CustomerNumber gt 'C5' or OnHold eq false")).toBeUndefined();
    expect(bound("CustomerNumber lt 'C5'")).toBeUndefined();
  });
});
