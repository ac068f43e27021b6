import { describe, expect, it } from '@jest/globals';
import { F, ODataBuildError, buildQueryString, odataLiteral } from '../../src/sage300/odata.js';

describe('odataLiteral', () => {
  it('quotes strings and doubles embedded quotes', () => {
    expect(odataLiteral("O'NEIL01")).toBe("'O''NEIL01'");
    expect(odataLiteral("''")).toBe("''''''");
    expect(odataLiteral('山田太郎')).toBe("'山田太郎'");
  });

  it('writes numbers, booleans and null bare', () => {
    expect(odataLiteral(41217)).toBe('41217');
    expect(odataLiteral(-12.5)).toBe('-12.5');
    expect(odataLiteral(true)).toBe('true');
    expect(odataLiteral(false)).toBe('false');
    expect(odataLiteral(null)).toBe('null');
    expect(() => odataLiteral(Number.NaN)).toThrow(ODataBuildError);
    expect(() => odataLiteral(Number.POSITIVE_INFINITY)).toThrow(ODataBuildError);
    expect(() => odataLiteral(1e-9)).toThrow(ODataBuildError);
  });

  it('writes dates as bare ISO DateTimeOffset, without v3 datetime prefix', () => {
    expect(odataLiteral(new Date('2025-03-14T00:00:00Z'))).toBe('2025-03-14T00:00:00Z');
    expect(odataLiteral(new Date('2025-03-14T10:20:30.250Z'))).toBe('2025-03-14T10:20:30.250Z');
    expect(() => odataLiteral(new Date('nope'))).toThrow(ODataBuildError);
  });

  it('writes enums as quoted member names', () => {
    expect(odataLiteral({ enum: 'Quote' })).toBe("'Quote'");
    expect(odataLiteral({ enum: "Bad'One" })).toBe("'Bad''One'");
  });
});

describe('filter builder F', () => {
  it('builds comparisons with escaped values', () => {
    expect(F.eq('CustomerNumber', "O'NEIL01").toString()).toBe("CustomerNumber eq 'O''NEIL01'");
    expect(F.ge('DateLastMaintained', new Date('2025-01-01T00:00:00Z')).toString()).toBe(
      'DateLastMaintained ge 2025-01-01T00:00:00Z',
    );
    expect(F.ne('OrderType', { enum: 'Quote' }).toString()).toBe("OrderType ne 'Quote'");
    expect(F.gt('OrderUniquifier', 41200).toString()).toBe('OrderUniquifier gt 41200');
    expect(F.eq('Sellable', true).toString()).toBe('Sellable eq true');
  });

  it('parenthesizes nested and/or and skips falsy parts', () => {
    const f = F.and(
      F.gt('CustomerNumber', 'C1'),
      undefined,
      F.or(F.eq('Status', { enum: 'Active' }), F.eq('OnHold', { enum: 'Yes' })),
      false,
    );
    expect(f.toString()).toBe("CustomerNumber gt 'C1' and (Status eq 'Active' or OnHold eq 'Yes')");
    expect(F.and(F.eq('A', 1)).toString()).toBe('A eq 1');
    expect(F.not(F.or(F.eq('A', 1), F.eq('B', 2))).toString()).toBe('not (A eq 1 or B eq 2)');
    expect(F.and('A eq 1 or B eq 2', F.eq('C', 3)).toString()).toBe('(A eq 1 or B eq 2) and C eq 3');
    expect(() => F.and()).toThrow(ODataBuildError);
  });

  it('builds string functions with escaped arguments', () => {
    expect(F.startswith('CustomerName', "O'N").toString()).toBe("startswith(CustomerName,'O''N')");
    expect(F.endswith('Email', '.example').toString()).toBe("endswith(Email,'.example')");
    expect(F.contains('City', 'Kraków').toString()).toBe("contains(City,'Kraków')");
    expect(F.raw('length(ShortName) gt 3').toString()).toBe('length(ShortName) gt 3');
  });

  it('rejects field names that could smuggle syntax', () => {
    expect(() => F.eq("Email eq 'x' or 1 eq 1", 'y')).toThrow(ODataBuildError);
    expect(() => F.eq('Customer Number', 'y')).toThrow(ODataBuildError);
  });
});

describe('buildQueryString', () => {
  it('encodes every option once, in a fixed order', () => {
    const qs = buildQueryString({
      filter: F.eq('CustomerNumber', "O'NEIL01 & co"),
      select: ['CustomerNumber', 'Email'],
      orderby: ['CustomerNumber', 'DateLastMaintained  desc'],
      top: 1000,
      skip: 200,
      count: true,
    });
    expect(qs).toBe(
      "$filter=CustomerNumber%20eq%20'O''NEIL01%20%26%20co'&$select=CustomerNumber%2CEmail" +
        '&$orderby=CustomerNumber%2CDateLastMaintained%20desc&$top=1000&$skip=200&$count=true',
    );
    const decoded = new URLSearchParams(qs);
    expect(decoded.get('$filter')).toBe("CustomerNumber eq 'O''NEIL01 & co'");
  });

  it('leaves out empty options and validates numbers', () => {
    expect(buildQueryString({})).toBe('');
    expect(buildQueryString({ select: [], orderby: [], count: false, top: 0 })).toBe('$top=0');
    expect(() => buildQueryString({ top: -1 })).toThrow(ODataBuildError);
    expect(() => buildQueryString({ skip: 1.5 })).toThrow(ODataBuildError);
    expect(() => buildQueryString({ orderby: ['A; drop'] })).toThrow(ODataBuildError);
    expect(() => buildQueryString({ select: ['A,B'] })).toThrow(ODataBuildError);
  });
});
