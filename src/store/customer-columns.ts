/**
 * The customer profile's fields and the `customers` columns that hold them, with each value's
 * kind — one map for every path that writes a profile (import, the API, events).
 */
import type { CustomerRecord } from '../engine/index.js';

export type CustomerField = keyof Omit<CustomerRecord, 'customerId'>;

export const CUSTOMER_COLUMNS: Readonly<
  Record<CustomerField, { column: string; kind: 'text' | 'array' | 'json' | 'date' | 'instant' }>
> = Object.freeze({
  name: { column: 'name', kind: 'text' },
  phones: { column: 'phones', kind: 'array' },
  emails: { column: 'emails', kind: 'array' },
  address: { column: 'address', kind: 'text' },
  province: { column: 'province', kind: 'text' },
  city: { column: 'city', kind: 'text' },
  gender: { column: 'gender', kind: 'text' },
  birthday: { column: 'birthday', kind: 'date' },
  industry: { column: 'industry', kind: 'text' },
  channel: { column: 'channel', kind: 'text' },
  acquiredAt: { column: 'acquired_at', kind: 'instant' },
  ownerId: { column: 'owner_id', kind: 'text' },
  tags: { column: 'tags', kind: 'array' },
  attributes: { column: 'attributes', kind: 'json' },
  consent: { column: 'consent', kind: 'json' },
});
