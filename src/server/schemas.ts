/** Zod shapes shared by several routes: the API's JSON, as the OpenAPI document shows it. */
import { z } from 'zod';
import { ROLES } from '../store/access.js';

export const Instant = z.string().describe('ISO 8601 instant, UTC');
export const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD')
  .describe('YYYY-MM-DD');

export const RoleSchema = z.enum(ROLES as unknown as [string, ...string[]]);

export const UserSchema = z.object({
  userId: z.string(),
  username: z.string(),
  displayName: z.string().nullable(),
  role: RoleSchema,
  staffId: z.string().nullable(),
  disabled: z.boolean(),
  createdAt: Instant,
});

export const Limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(500)
  .default(50)
  .describe('page size (1–500, default 50)');
export const Cursor = z.string().max(2000).optional().describe('nextCursor of the previous page');

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const IdParams = z.strictObject({
  // PostgreSQL text cannot hold a NUL character, so no id has one
  id: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^\0]*$/, 'must not contain a NUL character'),
});

export const CustomerFields = {
  name: z.string().max(200).nullable(),
  phones: z.array(z.string().max(40)).max(20),
  emails: z.array(z.string().max(200)).max(20),
  address: z.string().max(500).nullable(),
  province: z.string().max(100).nullable(),
  city: z.string().max(100).nullable(),
  gender: z.enum(['male', 'female', 'other']).nullable(),
  birthday: CalendarDate.nullable(),
  industry: z.string().max(100).nullable(),
  channel: z.string().max(100).nullable(),
  acquiredAt: z.iso.datetime({ offset: true }).nullable(),
  ownerId: z.string().max(100).nullable(),
  tags: z.array(z.string().max(100)).max(100),
  attributes: z.record(z.string(), z.unknown()),
  consent: z.record(z.string(), z.boolean()),
};

export const CustomerSchema = z.object({
  customerId: z.string(),
  name: z.string().nullable(),
  phones: z.array(z.string()),
  emails: z.array(z.string()),
  address: z.string().nullable(),
  province: z.string().nullable(),
  city: z.string().nullable(),
  gender: z.string().nullable(),
  birthday: z.string().nullable(),
  industry: z.string().nullable(),
  channel: z.string().nullable(),
  acquiredAt: Instant.nullable(),
  ownerId: z.string().nullable(),
  tags: z.array(z.string()),
  attributes: z.record(z.string(), z.unknown()),
  consent: z.record(z.string(), z.boolean()),
  isPlaceholder: z.boolean(),
  createdAt: Instant,
  updatedAt: Instant,
  current: z.object({
    asOf: z.string().nullable(),
    stage: z.string().nullable(),
    tier: z.string().nullable(),
    clvMinor: z.number().nullable().describe('predicted CLV, fen'),
    churnRisk: z.number().nullable(),
    warningLevel: z.string().nullable(),
    rfmSegment: z.string().nullable(),
  }),
});

export const Text = z.object({ zh: z.string(), en: z.string() });
