import { recordRng, type Rng } from './prng.js';
import type { Row } from './table.js';

// Seeded records with Sage's real field names, as messy as a real ERP: padded and mixed-case
// emails, missing and invalid ones, a shared email, accented and non-Latin names, inactive and
// on-hold customers, quotes, back-dated and completed orders, three currencies.

const DAY = 86_400_000;
/** Seeded dates are spread back from this fixed day, so the same seed gives the same data on any clock. */
export const SEED_BASE_DAY = Date.UTC(2026, 9, 31);

const dateText = new Map<number, string>();

export function sageDate(ms: number): string {
  const day = Math.floor(ms / DAY);
  let text = dateText.get(day);
  if (text === undefined) {
    text = `${new Date(day * DAY).toISOString().slice(0, 10)}T00:00:00Z`;
    // Seeded dates span a few thousand days; the cache stays small and saves a Date per field.
    if (dateText.size < 20_000) dateText.set(day, text);
  }
  return text;
}

const STREAM = { customer: 1, email: 2, item: 3, order: 4 } as const;

const FIRST = [
  'Priya',
  'Zoë',
  'Łukasz',
  'José',
  'Ünal',
  'Søren',
  'Chloé',
  'Mei',
  'Ahmed',
  'Olga',
  'Siobhán',
  'Björn',
  'Amélie',
  'Kenji',
  'Ana',
  'Noah',
  'Fatima',
  'Émile',
  'Grzegorz',
  'Liam',
];
const LAST = [
  'Natarajan',
  'Müller',
  'Kowalski',
  'García',
  'Yılmaz',
  'Nørgaard',
  'Dubois',
  'Chen',
  'Hassan',
  'Ivanova',
  "O'Brien",
  'Åberg',
  'Lefèvre',
  'Tanaka',
  'Silva',
  'Smith',
  'Al-Farsi',
  'Côté',
  'Brzęczyszczykiewicz',
  'Murphy',
];
const SUFFIX = ['Hardware Ltd.', 'Supply Co.', 'GmbH', 'S.A.', 'Inc.', '& Sons', 'Trading', 'Sp. z o.o.'];
const NON_LATIN = ['山田太郎', 'Иван Петров', '김민준', 'محمد علي', 'Ελένη Παπαδοπούλου', '李小龙商贸'];
const CITIES: Record<string, [string, string, string, string][]> = {
  USD: [
    ['Chicago', 'IL', '60601', 'United States'],
    ['Austin', 'TX', '73301', 'USA'],
    ['Portland', 'OR', '97201', 'US'],
    ['Boston', 'MA', '02108', 'United States'],
  ],
  CAD: [
    ['Toronto', 'ON', 'M5V 1K4', 'Canada'],
    ['Montréal', 'QC', 'H2Y 1C6', 'Canada'],
    ['Vancouver', 'BC', 'V6B 1A1', 'CANADA'],
  ],
  EUR: [
    ['Kraków', '', '30-001', 'Poland'],
    ['München', 'BY', '80331', 'Germany'],
    ['Lyon', '', '69001', 'France'],
    ['Dublin', '', 'D02 X285', 'Ireland'],
  ],
};
const GROUPS = ['RTL', 'WHS', 'DIST', 'INTL'];
const TERRITORIES = ['EAST', 'WEST', 'NORTH', 'SOUTH', 'EU'];
// Mostly deliverable-looking domains; one in twelve is the reserved `.example` TLD, which Mailchimp
// refuses as fake, so every run also shows per-record failures being recorded and replayable.
const DOMAINS = [
  'example.com',
  'example.co.uk',
  'example.de',
  'example.fr',
  'example.ca',
  'example.net',
  'example.org',
  'example.ie',
  'example.es',
  'example.it',
  'example.nl',
  'mail.example',
];

const asciiCache = new Map<string, string>();

/** Names come from small pools, so the (slow) Unicode folding is done once per name. */
function ascii(s: string): string {
  let folded = asciiCache.get(s);
  if (folded === undefined) {
    folded = foldAscii(s);
    if (asciiCache.size < 10_000) asciiCache.set(s, folded);
  }
  return folded;
}

function foldAscii(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .replace(/ø/g, 'o')
    .replace(/ı/g, 'i')
    .replace(/[^A-Za-z0-9]+/g, '.')
    .replace(/^\.+|\.+$/g, '')
    .toLowerCase();
}

function phone(r: Rng): string {
  const n = () => String(r.int(200, 999));
  const last = String(r.int(1000, 9999));
  return r.pick([`${n()}${n()}${last}`, `(${n()}) ${n()}-${last}`, `+1 ${n()}-${n()}-${last}`, '']);
}

/** The base email of generated customer i (before duplication), from its own stream. */
function emailFor(seed: number, i: number, first: string, last: string): string {
  const r = recordRng(seed, STREAM.email, i);
  const local = ascii(`${first} ${last}`) || `cust${i}`;
  const domain = r.pick(DOMAINS);
  const roll = r.next();
  if (roll < 0.06) return '';
  if (roll < 0.09) return r.pick(['n/a', `${local}@`, `${local} at ${domain}`, 'none']);
  if (roll < 0.14) return `  ${local.replace(/^./, (c) => c.toUpperCase())}@${domain.toUpperCase()} `;
  return `${local}${i}@${domain}`;
}

export const HANDCRAFTED_CUSTOMERS: readonly Row[] = [
  {
    CustomerNumber: '1200',
    CustomerName: 'Maple Hardware Ltd.',
    ShortName: 'MAPLEHW',
    CurrencyCode: 'CAD',
    Email: 'ap@maplehw.ca',
    ContactName: 'Priya Natarajan',
    ContactsEmail: 'priya@maplehw.ca',
    City: 'Toronto',
    StateProvince: 'ON',
    ZipPostalCode: 'M5V 1K4',
    Country: 'Canada',
  },
  {
    CustomerNumber: "O'NEIL01",
    CustomerName: "O'Neil & Daughters",
    ShortName: "O'NEIL",
    CurrencyCode: 'USD',
    Email: 'orders@oneil.ie',
    ContactName: "Siobhán O'Neil",
  },
  {
    CustomerNumber: 'YAMADA01',
    CustomerName: '山田太郎',
    ShortName: 'YAMADA',
    CurrencyCode: 'USD',
    Email: 'taro.yamada@example.jp',
    City: '東京',
    Country: 'Japan',
    ContactName: '山田太郎',
  },
  {
    CustomerNumber: 'LUKASZ01',
    CustomerName: 'Łukasz Brzęczyszczykiewicz',
    ShortName: 'LUKASZ',
    CurrencyCode: 'EUR',
    Email: 'lukasz@example.pl',
    City: 'Kraków',
    Country: 'Poland',
  },
  {
    CustomerNumber: 'ZOE01',
    CustomerName: 'Zoë Dubois',
    ShortName: 'ZOE',
    CurrencyCode: 'EUR',
    Email: '  Zoe.Dubois@Example.FR ',
    City: 'Lyon',
    Country: 'France',
  },
  {
    CustomerNumber: 'UNAL01',
    CustomerName: 'Ünal Yılmaz',
    ShortName: 'UNAL',
    CurrencyCode: 'EUR',
    Email: 'unal.yilmaz@example.com.tr',
    Country: 'Turkey',
  },
  {
    CustomerNumber: 'DUPE01',
    CustomerName: 'Twin Peaks Supply',
    ShortName: 'TWINPK',
    CurrencyCode: 'USD',
    Email: 'shared@twinpeaks.com',
  },
  {
    CustomerNumber: 'DUPE02',
    CustomerName: 'Twin Peaks Supply (West)',
    ShortName: 'TWINPKW',
    CurrencyCode: 'USD',
    Email: 'shared@twinpeaks.com',
  },
  {
    CustomerNumber: 'NOMAIL01',
    CustomerName: 'No Mail Farm Co-op',
    ShortName: 'NOMAIL',
    CurrencyCode: 'USD',
    Email: '',
    ContactsEmail: '',
  },
  {
    CustomerNumber: 'BADMAIL01',
    CustomerName: 'Broken Address Inc.',
    ShortName: 'BADMAIL',
    CurrencyCode: 'USD',
    Email: 'not-an-email',
  },
  {
    CustomerNumber: 'INACT01',
    CustomerName: 'Closed Shop Ltd.',
    ShortName: 'CLOSED',
    CurrencyCode: 'CAD',
    Email: 'closed@example.ca',
    Status: 'Inactive',
    InactiveDate: '2025-12-31T00:00:00Z',
  },
  {
    CustomerNumber: 'HOLD01',
    CustomerName: 'Slow Payer GmbH',
    ShortName: 'SLOWPAY',
    CurrencyCode: 'EUR',
    Email: 'buchhaltung@slowpayer.example',
    OnHold: 'Yes',
  },
  {
    CustomerNumber: 'PADDED01',
    CustomerName: 'Padded Name Co.      ',
    ShortName: 'PADDED  ',
    CurrencyCode: 'USD',
    Email: '  padded@example.com  ',
  },
];

export function customerKey(i: number): string {
  return i < HANDCRAFTED_CUSTOMERS.length
    ? (HANDCRAFTED_CUSTOMERS[i]!.CustomerNumber as string)
    : `C${String(i).padStart(6, '0')}`;
}

export function makeCustomer(seed: number, i: number): Row {
  const r = recordRng(seed, STREAM.customer, i);
  const first = r.pick(FIRST);
  const last = r.pick(LAST);
  const style = r.next();
  const name =
    style < 0.5 ? `${last} ${r.pick(SUFFIX)}` : style < 0.9 ? `${first} ${last}` : r.pick(NON_LATIN);
  const currency = r.chance(0.65) ? 'USD' : r.chance(0.7) ? 'CAD' : 'EUR';
  const [city, state, zip, country] = r.pick(CITIES[currency]!);
  const maintained = SEED_BASE_DAY - r.int(0, 900) * DAY;
  const inactive = r.chance(0.05);
  let email = emailFor(seed, i, first, last);
  // About 1 in 100 shares the previous customer's address (a parent company and its branch).
  if (i > HANDCRAFTED_CUSTOMERS.length && r.chance(0.01)) {
    const pr = recordRng(seed, STREAM.customer, i - 1);
    email = emailFor(seed, i - 1, pr.pick(FIRST), pr.pick(LAST));
  }
  const row: Row = {
    CustomerNumber: customerKey(i),
    ShortName: ascii(last).toUpperCase().slice(0, 10),
    CustomerName: r.chance(0.1) ? `${name}${' '.repeat(r.int(1, 8))}` : name,
    GroupCode: r.pick(GROUPS),
    NationalAccount: '',
    Status: inactive ? 'Inactive' : 'Active',
    InactiveDate: inactive ? sageDate(maintained) : null,
    DateLastMaintained: sageDate(maintained),
    OnHold: r.chance(0.03) ? 'Yes' : 'No',
    StartDate: sageDate(maintained - r.int(30, 3000) * DAY),
    AddressLine1: `${r.int(1, 9999)} ${r.pick(['King Street W', 'Main St', 'Rue Sainte-Catherine', 'ul. Floriańska', 'Hauptstraße'])}`,
    AddressLine2: r.chance(0.3) ? `Suite ${r.int(100, 900)}` : '',
    AddressLine3: '',
    AddressLine4: '',
    City: city,
    StateProvince: state,
    ZipPostalCode: zip,
    Country: country,
    ContactName: style < 0.9 ? `${first} ${last}` : name,
    PhoneNumber: phone(r),
    FaxNumber: '',
    Email: email,
    WebSite: '',
    ContactsPhone: phone(r),
    ContactsFax: '',
    ContactsEmail: r.chance(0.5) ? email : r.chance(0.5) ? `${ascii(first)}@${r.pick(DOMAINS)}` : '',
    TerritoryCode: r.pick(TERRITORIES),
    AccountSet: currency === 'USD' ? 'USA' : currency === 'CAD' ? 'CAN' : 'EUR',
    CurrencyCode: currency,
    Terms: r.pick(['N30', 'N60', 'COD']),
    TaxGroup: r.pick(['ONTARIO', 'USTAX', 'EUVAT']),
    CustomerPriceList: r.pick(['WHS', 'RTL']),
    AccountType: 'OpenItem',
    CreditLimitCustomerCurrency: r.int(0, 50) * 1000,
    BalanceDueInCustomerCurrency: Math.round(r.next() * 1_000_000) / 100,
    DateOfLastInvoice: r.chance(0.8) ? sageDate(maintained - r.int(0, 60) * DAY) : null,
    SuppressIntegration: false,
    CustomerOptionalFieldValues: [],
    CustomerContactSelection: [],
    UpdateOperation: 'Unspecified',
  };
  const hand = HANDCRAFTED_CUSTOMERS[i];
  return hand ? { ...row, ContactsEmail: hand.Email, ...hand } : row;
}

const ITEM_PREFIX = ['A1', 'A2', 'B1', 'C3'];
const ITEM_CATEGORY = ['HARDWR', 'FASTEN', 'TOOLS', 'PAINT'];
const ITEM_NAMES = [
  'Steel hinge, 3 in',
  'Cabinet handle, brushed',
  'Wood screw #8 (box of 100)',
  'Drawer slide, 18 in',
  'Shelf bracket',
  'Claw hammer',
  'Façade paint, white 4 L',
  'Tape measure 5 m',
  'Wall anchor kit',
  'Hex key set',
];

export function itemKey(i: number): string {
  return `${ITEM_PREFIX[i % ITEM_PREFIX.length]}${1000 + i}`;
}

export function itemPrice(seed: number, i: number): number {
  const r = recordRng(seed, STREAM.item, i);
  r.next();
  return Math.round((2 + r.next() * 200) * 100) / 100;
}

export function makeItem(seed: number, i: number): Row {
  const key = itemKey(i);
  const r = recordRng(seed, STREAM.item, i);
  r.next();
  r.next(); // the price draw (itemPrice) comes first
  return {
    UnformattedItemNumber: key,
    ItemNumber: `${key.slice(0, 2)}-${key.slice(2, 5)}/${key.slice(5)}`,
    Description: `${r.pick(ITEM_NAMES)}${r.chance(0.2) ? '   ' : ''}`,
    Category: ITEM_CATEGORY[i % ITEM_CATEGORY.length],
    AccountSetCode: 'INV',
    Status: !r.chance(0.1),
    DateInactive: null,
    DateLastMaintained: sageDate(SEED_BASE_DAY - r.int(0, 700) * DAY),
    StockItem: true,
    Sellable: !r.chance(0.08),
    StockingUnitOfMeasure: r.pick(['Ea', 'Ea', 'Box', 'Case']),
    DefaultPriceListCode: r.pick(['WHS', 'RTL']),
    QuantityOnHand: r.int(0, 500),
    ItemOptionalFields: [],
    UpdateOperation: 'Unspecified',
  };
}

export const FIRST_UNIQUIFIER = 41000;
export function orderKey(i: number): number {
  return FIRST_UNIQUIFIER + i * 3;
}
export function orderNumber(uniquifier: number): string {
  return `ORD${String(uniquifier - 40000).padStart(12, '0')}`;
}

const TAX_RATE: Record<string, number> = { CAD: 0.13, USD: 0.07, EUR: 0.2 };
const round2 = (n: number) => Math.round(n * 100) / 100;

export interface OrderLineInput {
  item?: Row;
  misc?: { code: string; description: string; amount: number };
  quantity: number;
  unitPrice?: number;
}

/** Builds an order header with totals from its lines (shared by the seed and by `enterOrder`). */
export function buildOrder(input: {
  uniquifier: number;
  customer: Row;
  orderDate: number;
  lines: OrderLineInput[];
  orderType?: string;
  onHold?: boolean;
  discountPercent?: number;
  homeCurrency?: string;
}): Row {
  const currency = (input.customer.CurrencyCode as string) || 'USD';
  const details = input.lines.map((l, k) => {
    const item = l.item;
    const price = l.misc ? l.misc.amount : (l.unitPrice ?? 0);
    const amount = l.misc ? l.misc.amount : round2(l.quantity * price);
    return {
      OrderUniquifier: input.uniquifier,
      LineNumber: (k + 1) * 32,
      DetailNumber: k + 1,
      LineType: l.misc ? 'Miscellaneous' : 'Item',
      Item: item ? item.ItemNumber : '',
      UnformattedItemNumber: item ? item.UnformattedItemNumber : '',
      MiscellaneousChargesCode: l.misc ? l.misc.code : '',
      Description: l.misc ? l.misc.description : item?.Description,
      Category: item ? item.Category : '',
      Location: '1',
      StockItem: Boolean(item),
      QuantityOrdered: l.misc ? 0 : l.quantity,
      OriginalQuantityOrdered: l.misc ? 0 : l.quantity,
      QuantityShipped: 0,
      QuantityShippedtodate: 0,
      QuantityBackordered: 0,
      OrderUnitOfMeasure: item ? item.StockingUnitOfMeasure : '',
      OrderUnitPrice: price,
      PricingUnitOfMeasure: item ? item.StockingUnitOfMeasure : '',
      PricingUnitPrice: price,
      PriceOverride: false,
      ExtendedOrderAmount: amount,
      DetailCompleted: 'Notcompleted',
      ExpectedShipmentDate: sageDate(input.orderDate + 3 * DAY),
      OrderDetailOptionalFields: [],
      UpdateOperation: 'Unspecified',
    };
  });
  const itemTotal = round2(
    details.filter((d) => d.LineType === 'Item').reduce((s, d) => s + d.ExtendedOrderAmount, 0),
  );
  const miscTotal = round2(
    details.filter((d) => d.LineType !== 'Item').reduce((s, d) => s + d.ExtendedOrderAmount, 0),
  );
  const discount = round2((itemTotal * (input.discountPercent ?? 0)) / 100);
  const beforeTax = round2(itemTotal + miscTotal - discount);
  const tax = round2(beforeTax * (TAX_RATE[currency] ?? 0.1));
  const c = input.customer;
  return {
    OrderUniquifier: input.uniquifier,
    OrderNumber: orderNumber(input.uniquifier),
    CustomerNumber: c.CustomerNumber,
    CustomerGroupCode: c.GroupCode,
    OrderReference: '',
    PurchaseOrderNumber: `PO-${input.uniquifier % 100000}`,
    OrderDescription: '',
    OrderComment: '',
    OrderSource: 'Entered',
    TemplateCode: '',
    Salesperson1: '',
    BillToName: c.CustomerName,
    BillToAddressLine1: c.AddressLine1,
    BillToCity: c.City,
    BillToStateProvince: c.StateProvince,
    BillToZipPostalCode: c.ZipPostalCode,
    BillToCountry: c.Country,
    BillToEmail: c.Email,
    ShipToLocationCode: '',
    ShipToName: c.CustomerName,
    ShipToAddressLine1: c.AddressLine1,
    ShipToAddressLine2: c.AddressLine2,
    ShipToCity: c.City,
    ShipToStateProvince: c.StateProvince,
    ShipToZipPostalCode: c.ZipPostalCode,
    ShipToCountry: c.Country,
    ShipToPhoneNumber: c.PhoneNumber,
    ShipToEmail: c.ContactsEmail,
    OrderType: input.orderType ?? 'Active',
    OrderDate: sageDate(input.orderDate),
    ExpectedShipDate: sageDate(input.orderDate + 3 * DAY),
    OrderFiscalYear: new Date(input.orderDate).toISOString().slice(0, 4),
    OrderFiscalPeriod: `Num${new Date(input.orderDate).getUTCMonth() + 1}`,
    OnHold: input.onHold ?? false,
    OnholdReason: input.onHold ? 'Credit check' : '',
    OrderPartiallyShipped: false,
    OrderCompleted: 'IncompleteNotIncluded',
    QuoteExpired: false,
    OrderCompletionDate: null,
    LastPostingDate: sageDate(input.orderDate),
    OrderSourceCurrency: currency,
    OrderHomeCurrency: input.homeCurrency ?? 'USD',
    OrderRate: currency === 'USD' ? 1 : currency === 'CAD' ? 0.73 : 1.08,
    NumberOfLinesOnOrder: details.length,
    OrderItemTotalAmount: itemTotal,
    TotalAmountMiscellaneousCharges: miscTotal,
    OrderDiscountPercentage: input.discountPercent ?? 0,
    OrderDiscountAmount: discount,
    OrderTotalBeforeTax: beforeTax,
    TotalTaxAmount: tax,
    OrderTotal: round2(beforeTax + tax),
    OrderAmountDue: round2(beforeTax + tax),
    OrderDetails: details,
    OrderOptionalFields: [],
    OrderCommentsInstructions: [],
    OrderPaymentSchedules: [],
    OrderFromQuotes: [],
    UpdateOperation: 'Unspecified',
  };
}

/** Marks an order completed the way OE does: quantities move to OriginalQuantityOrdered / shipped to date. */
export function completeOrderRow(order: Row, day: number, status = 'CompleteNotIncluded'): Row {
  const details = (order.OrderDetails as Row[]).map((d) => ({
    ...d,
    OriginalQuantityOrdered: (d.OriginalQuantityOrdered as number) || (d.QuantityOrdered as number),
    QuantityShippedtodate: (d.OriginalQuantityOrdered as number) || (d.QuantityOrdered as number),
    QuantityOrdered: 0,
    DetailCompleted: 'Completed',
  }));
  return {
    ...order,
    OrderDetails: details,
    OrderCompleted: status,
    OrderCompletionDate: sageDate(day),
    LastPostingDate: sageDate(day),
  };
}

export interface SeedCounts {
  customers: number;
  orders: number;
  items: number;
  /** Customers sharing addresses in pairs (see withSharedEmail); default none. */
  sharedEmails?: number;
}

/**
 * The duplicate-email worst case at scale (benchmarks): the first 2n generated customers share n
 * addresses in pairs, customer k with customer k + n, the second one typed as people do.
 */
export function withSharedEmail(row: Row, i: number, pairs: number): Row {
  const g = i - HANDCRAFTED_CUSTOMERS.length;
  if (g < 0 || g >= 2 * pairs) return row;
  const j = g % pairs;
  const email = `buyer${j}@northwind-traders.com`;
  return g < pairs
    ? { ...row, Email: email, ContactsEmail: email }
    : { ...row, Email: `  Buyer${j}@Northwind-Traders.com`, ContactsEmail: '' };
}

export function makeOrder(seed: number, i: number, counts: SeedCounts): Row {
  const r = recordRng(seed, STREAM.order, i);
  const uniquifier = orderKey(i);
  const customerIndex = counts.customers > 0 ? (i * 7919 + 3) % counts.customers : 0;
  const customer = makeCustomer(seed, customerIndex);
  // Order dates rise with the uniquifier over about 400 days, except back-dated ones.
  let day = SEED_BASE_DAY - Math.round(((counts.orders - i) * 400) / Math.max(counts.orders, 1)) * DAY;
  const backDated = i % 37 === 36 || (counts.orders >= 3 && i === counts.orders - 2);
  if (backDated) day -= r.int(180, 365) * DAY;
  const type = i % 13 === 5 ? 'Quote' : i % 17 === 3 ? 'Future' : 'Active';
  const lines: OrderLineInput[] = [];
  const n = r.int(1, 4);
  for (let k = 0; k < n && counts.items > 0; k++) {
    const itemIndex = r.int(0, counts.items - 1);
    lines.push({
      item: makeItem(seed, itemIndex),
      quantity: r.int(1, 50),
      unitPrice: itemPrice(seed, itemIndex),
    });
  }
  if (lines.length === 0 || r.chance(0.15)) {
    lines.push({ misc: { code: 'FRT', description: 'Freight', amount: r.int(10, 90) }, quantity: 0 });
  }
  let order = buildOrder({
    uniquifier,
    customer,
    orderDate: day,
    lines,
    orderType: type,
    onHold: i % 19 === 7,
    discountPercent: r.chance(0.1) ? 5 : 0,
  });
  if (r.next() < 0.5) order.OrderReference = `WEB-${sageDate(day).slice(0, 10).replace(/-/g, '')}-${i}`;
  // Some shops keep the Mailchimp campaign an order came from in an order optional field.
  if (i % 5 === 0) {
    order.OrderOptionalFields = [
      {
        OrderUniquifier: uniquifier,
        OptionalField: 'CAMPAIGN',
        Value: r.pick(['4a1c9e7b20', 'b7d3f00e19', '']),
        Type: 'Text',
      },
    ];
  }
  if (type !== 'Quote' && i % 19 !== 7 && r.chance(0.25) && !backDated) {
    order = completeOrderRow(
      order,
      day + r.int(1, 20) * DAY,
      r.chance(0.8) ? 'CompleteNotIncluded' : 'CompleteIncluded',
    );
    if (r.chance(0.5)) {
      for (const d of order.OrderDetails as Row[]) d.ExtendedOrderAmount = 0;
    }
  }
  return order;
}
