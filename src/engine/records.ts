/**
 * The business's records as Tenure keeps them (SPEC §2). Ingest produces them from files and
 * events, the demo generator produces them from its simulation, and the store writes them.
 *
 * Conventions: money is integer minor units (fen for CNY) in `*Minor` fields, never a float;
 * instants are `Date` (UTC); calendar dates (birthdays) are `YYYY-MM-DD` strings; every record
 * carries its customer's id, which is the key the data is distributed by (SPEC §9).
 */

export type RecordKind =
  | 'customers'
  | 'products'
  | 'transactions'
  | 'interactions'
  | 'subscriptions';

export const RECORD_KINDS: readonly RecordKind[] = Object.freeze([
  'customers',
  'products',
  'transactions',
  'interactions',
  'subscriptions',
]);

export type Gender = 'male' | 'female' | 'other';

export interface CustomerRecord {
  /** The business's own customer id (客户编号); Tenure's key for the customer. */
  customerId: string;
  name: string | null;
  phones: string[];
  emails: string[];
  address: string | null;
  province: string | null;
  city: string | null;
  gender: Gender | null;
  /** YYYY-MM-DD */
  birthday: string | null;
  industry: string | null;
  /** acquisition channel */
  channel: string | null;
  acquiredAt: Date | null;
  /** account manager (staff code or user id) */
  ownerId: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  consent: Record<string, boolean>;
}

export interface ProductRecord {
  sku: string;
  name: string | null;
  category: string | null;
  listPriceMinor: number | null;
  unitCostMinor: number | null;
}

export type TransactionStatus = 'completed' | 'refunded' | 'cancelled';

/**
 * One row of an order as files carry it: either a whole order (no sku) or one line item of it.
 * Rows sharing `transactionId` are one order; the store sums their amounts. A row without an id
 * gets a deterministic one from its content, so importing the same file twice changes nothing.
 */
export interface TransactionRow {
  transactionId: string | null;
  customerId: string;
  occurredAt: Date;
  /** this row's amount (the line amount when `sku` is set) */
  amountMinor: number;
  currency: string;
  costMinor: number | null;
  channel: string | null;
  status: TransactionStatus;
  sku: string | null;
  quantity: number | null;
  unitPriceMinor: number | null;
}

export interface SubscriptionRecord {
  subscriptionId: string;
  customerId: string;
  plan: string | null;
  startedAt: Date;
  endedAt: Date | null;
  monthlyFeeMinor: number | null;
}

export type InteractionType =
  | 'call'
  | 'visit'
  | 'email'
  | 'sms'
  | 'complaint'
  | 'service'
  | 'survey'
  | 'referral';

export const INTERACTION_TYPES: readonly InteractionType[] = Object.freeze([
  'call',
  'visit',
  'email',
  'sms',
  'complaint',
  'service',
  'survey',
  'referral',
]);

export type Direction = 'inbound' | 'outbound';

export interface InteractionRecord {
  /** external id; null gets a deterministic one from the content */
  interactionId: string | null;
  customerId: string;
  occurredAt: Date;
  type: InteractionType;
  direction: Direction | null;
  outcome: string | null;
  /** 1..5 */
  satisfaction: number | null;
  staff: string | null;
  note: string | null;
}

export type AnyRecord =
  | { kind: 'customers'; record: CustomerRecord }
  | { kind: 'products'; record: ProductRecord }
  | { kind: 'transactions'; record: TransactionRow }
  | { kind: 'interactions'; record: InteractionRecord }
  | { kind: 'subscriptions'; record: SubscriptionRecord };
