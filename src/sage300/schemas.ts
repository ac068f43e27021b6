import { z } from 'zod';

// Sage pads CHAR columns and `$select` omits whatever was not asked for, so every field except the key
// is optional and every string is trimmed. Unknown properties (about 400 on an order) are dropped.

const str = z
  .string()
  .nullish()
  .transform((v) => (v == null ? undefined : v.trim()));

const requiredStr = z.string().transform((v) => v.trim());

/** ODataLib writes numbers as JSON numbers; with IEEE754Compatible they arrive as strings. */
const num = z
  .union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)])
  .nullish()
  .transform((v) => (v == null ? undefined : typeof v === 'number' ? v : Number(v)));

const bool = z
  .boolean()
  .nullish()
  .transform((v) => (v == null ? undefined : v));

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))?)?$/;

/**
 * An ISO 8601 date or date-time naming a day that exists. `Date.parse` is not enough: it takes
 * `2026-02-31` as 3 March and reads `12/31/2025` in the local style.
 */
export function isRealIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0, offH = 0, offM = 0] = m
    .slice(1)
    .map((p) => (p === undefined ? undefined : Number(p)));
  if (month! < 1 || month! > 12 || day! < 1) return false;
  if (day! > new Date(Date.UTC(year!, month!, 0)).getUTCDate()) return false;
  return hour! < 24 && minute! < 60 && second! < 60 && offH! < 24 && offM! < 60;
}

/** Edm.DateTimeOffset as the ISO string Sage sent (`2025-03-14T00:00:00Z`), or null for "no date". */
const date = z
  .string()
  .nullish()
  .refine((v) => v == null || v.trim() === '' || isRealIsoDate(v.trim()), { message: 'not a real date' })
  .transform((v) => (v == null || v.trim() === '' ? null : v.trim()));

export const arCustomerSchema = z.object({
  CustomerNumber: requiredStr,
  CustomerName: str,
  ShortName: str,
  GroupCode: str,
  TerritoryCode: str,
  /** "Active" | "Inactive" */
  Status: str,
  /** "No" | "Yes" (an enum on customers, unlike orders) */
  OnHold: str,
  InactiveDate: date,
  StartDate: date,
  DateLastMaintained: date,
  AddressLine1: str,
  AddressLine2: str,
  AddressLine3: str,
  AddressLine4: str,
  City: str,
  StateProvince: str,
  ZipPostalCode: str,
  Country: str,
  ContactName: str,
  PhoneNumber: str,
  Email: str,
  ContactsEmail: str,
  ContactsPhone: str,
  CurrencyCode: str,
  CustomerPriceList: str,
  DateOfLastInvoice: date,
});
export type ARCustomer = z.output<typeof arCustomerSchema>;

export const oeOrderLineSchema = z.object({
  LineNumber: num,
  DetailNumber: num,
  /** "Item" | "Miscellaneous" */
  LineType: str,
  Item: str,
  UnformattedItemNumber: str,
  Description: str,
  Category: str,
  QuantityOrdered: num,
  OriginalQuantityOrdered: num,
  QuantityShipped: num,
  QuantityShippedtodate: num,
  OrderUnitOfMeasure: str,
  OrderUnitPrice: num,
  PricingUnitPrice: num,
  ExtendedOrderAmount: num,
  /** "Notcompleted" | "CompletedNotInDatabase" | "Completed" | "Processedbydayend" */
  DetailCompleted: str,
  MiscellaneousChargesCode: str,
});
export type OEOrderLine = z.output<typeof oeOrderLineSchema>;

export const oeOrderSchema = z.object({
  OrderUniquifier: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
  OrderNumber: str,
  CustomerNumber: str,
  /** "Active" | "Future" | "Standing" | "Quote" */
  OrderType: str,
  OrderDate: date,
  OnHold: bool,
  /** "IncompleteNotIncluded" | "IncompleteIncluded" | "CompleteNotIncluded" | "CompleteIncluded" | "CompleteDayEnd" */
  OrderCompleted: str,
  OrderCompletionDate: date,
  LastPostingDate: date,
  OrderSourceCurrency: str,
  OrderHomeCurrency: str,
  OrderTotal: num,
  TotalTaxAmount: num,
  OrderTotalBeforeTax: num,
  OrderDiscountAmount: num,
  OrderReference: str,
  PurchaseOrderNumber: str,
  OrderDescription: str,
  BillToName: str,
  BillToEmail: str,
  ShipToName: str,
  ShipToAddressLine1: str,
  ShipToAddressLine2: str,
  ShipToCity: str,
  ShipToStateProvince: str,
  ShipToZipPostalCode: str,
  ShipToCountry: str,
  ShipToPhoneNumber: str,
  ShipToEmail: str,
  OrderDetails: z
    .array(oeOrderLineSchema)
    .nullish()
    .transform((v) => v ?? undefined),
  // Order sync (helper F): partial-shipment status and the optional field that may carry a campaign id.
  OrderPartiallyShipped: bool,
  OrderOptionalFields: z
    .array(z.object({ OptionalField: str, Value: z.unknown().optional() }))
    .nullish()
    .transform((v) => v ?? undefined),
});
export type OEOrder = z.output<typeof oeOrderSchema>;

export const icItemSchema = z.object({
  UnformattedItemNumber: requiredStr,
  ItemNumber: str,
  Description: str,
  Category: str,
  /** true = active */
  Status: bool,
  DateLastMaintained: date,
  Sellable: bool,
  StockingUnitOfMeasure: str,
  DefaultPriceListCode: str,
});
export type ICItem = z.output<typeof icItemSchema>;

/**
 * A row Sage sent that does not fit its schema: the key read from the raw row on its own, the field
 * at fault and what is wrong with it (never the value: a malformed field can hold anything).
 */
export interface InvalidRow {
  key: string;
  field: string;
  problem: string;
}

/** The first field at fault and its problem, naming how many other fields failed too. */
export function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): {
  field: string;
  problem: string;
} {
  const fields = [...new Set(issues.map((i) => i.path.map(String).join('.') || '(row)'))];
  const more =
    fields.length > 1 ? ` (also ${fields.slice(1, 4).join(', ')}${fields.length > 4 ? ', ...' : ''})` : '';
  return { field: fields[0] ?? '(row)', problem: `${issues[0]?.message ?? 'invalid'}${more}` };
}
