import {
  arCustomerSchema,
  icItemSchema,
  oeOrderSchema,
  type ARCustomer,
  type ICItem,
  type OEOrder,
} from './schemas.js';

/** The three Sage views the connector reads: URL segments, primary key and boundary schema. */
export const SAGE_ENTITIES = {
  customers: { module: 'AR', set: 'ARCustomers', key: 'CustomerNumber', schema: arCustomerSchema },
  orders: { module: 'OE', set: 'OEOrders', key: 'OrderUniquifier', schema: oeOrderSchema },
  items: { module: 'IC', set: 'ICItems', key: 'UnformattedItemNumber', schema: icItemSchema },
} as const;

export type SageEntityName = keyof typeof SAGE_ENTITIES;

export interface RecordTypes {
  customers: ARCustomer;
  orders: OEOrder;
  items: ICItem;
}
export type RecordOf<E extends SageEntityName> = RecordTypes[E];

export function keyOf<E extends SageEntityName>(entity: E, record: RecordOf<E>): string | number {
  return (record as unknown as Record<string, string | number>)[SAGE_ENTITIES[entity].key]!;
}
