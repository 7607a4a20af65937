import { z } from 'zod';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';

/** The same rule as a plan's `ipPool` (catalog), so a plan's pool name can name a pool. */
const poolName = z.string().trim().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be a router pool name: letters, digits and _ . : -');

export const createPoolSchema = z
  .object({
    organizationId: z.uuid().optional().describe('Defaults to the organization you act in'),
    name: poolName.describe("The name a plan's network profile uses (ipPool) and the router knows the pool by"),
    family: z.union([z.literal(4), z.literal(6)]),
    kind: z.enum(['address', 'prefix']).default('address').describe('address: one address per subscriber; prefix: an IPv6 delegated prefix per subscriber'),
    prefixLength: z.number().int().min(16).max(128).optional().describe('Prefix pools: the length delegated to each subscriber, e.g. 56'),
    nasId: z.uuid().nullable().default(null).describe('The NAS that hands out this pool, if only one does'),
    description: z.string().trim().max(1000).default(''),
  })
  .meta({ id: 'CreateIpPool' });
export type CreatePoolInput = z.infer<typeof createPoolSchema>;

export const updatePoolSchema = z
  .object({ name: poolName.optional(), nasId: z.uuid().nullable().optional(), description: z.string().trim().max(1000).optional() })
  .meta({ id: 'UpdateIpPool' });
export type UpdatePoolInput = z.infer<typeof updatePoolSchema>;

export const createSubnetSchema = z
  .object({
    cidr: z.string().trim().max(50).describe('e.g. 100.64.0.0/22 or 2001:db8::/40; no bits set past the length'),
    gateway: z.string().trim().max(50).nullable().default(null).describe('Reserved: never handed out'),
    description: z.string().trim().max(1000).default(''),
  })
  .meta({ id: 'CreateIpSubnet' });
export type CreateSubnetInput = z.infer<typeof createSubnetSchema>;

export const createReservationSchema = z
  .object({
    first: z.string().trim().max(50),
    last: z.string().trim().max(50).optional().describe('Defaults to first: one address'),
    reason: z.string().trim().max(200).default(''),
  })
  .meta({ id: 'CreateIpReservation' });
export type CreateReservationInput = z.infer<typeof createReservationSchema>;

export const assignSchema = z
  .object({
    subscriptionId: z.uuid(),
    address: z.string().trim().max(50).optional().describe('A chosen address (or prefix); omitted: the next free one'),
    note: z.string().trim().max(200).default(''),
  })
  .meta({ id: 'AssignIpAddress' });
export type AssignInput = z.infer<typeof assignSchema>;

export const utilizationSchema = z
  .object({
    total: z.string().describe('Addresses (or prefixes, in a prefix pool) that may be handed out, as a decimal string (IPv6 counts exceed 2^53)'),
    reserved: z.string(),
    used: z.string(),
    free: z.string(),
    percent: z.string().describe('used / (total - reserved), one decimal'),
  })
  .meta({ id: 'IpUtilization' });
export type Utilization = z.infer<typeof utilizationSchema>;

export const reservationSchema = z.object({ id: z.uuid(), first: z.string(), last: z.string(), reason: z.string() }).meta({ id: 'IpReservation' });

export const subnetSchema = z
  .object({
    id: z.uuid(),
    cidr: z.string(),
    gateway: z.string().nullable(),
    description: z.string(),
    reservations: z.array(reservationSchema),
    utilization: utilizationSchema,
  })
  .meta({ id: 'IpSubnet' });

export const poolSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    organizationName: z.string(),
    name: z.string(),
    family: z.union([z.literal(4), z.literal(6)]),
    kind: z.enum(['address', 'prefix']),
    prefixLength: z.number().int().nullable(),
    nasId: z.uuid().nullable(),
    nasName: z.string().nullable(),
    description: z.string(),
    subnetCount: z.number().int(),
    utilization: utilizationSchema,
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'IpPool' });
export type PoolOutput = z.infer<typeof poolSchema>;

export const assignmentSchema = z
  .object({
    id: z.uuid(),
    poolId: z.uuid(),
    subnetId: z.uuid(),
    address: z.string().describe('An address, or a delegated prefix in cidr notation'),
    subscriptionId: z.uuid().nullable(),
    username: z.string().nullable(),
    kind: z.enum(['static', 'allocated']).describe('static: set on the subscription by hand; allocated: picked from the pool'),
    note: z.string(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'IpAssignment' });

export const poolDetailSchema = poolSchema.extend({ subnets: z.array(subnetSchema), assignments: z.array(assignmentSchema) }).meta({ id: 'IpPoolDetail' });

export const poolListQuery = listQuerySchema
  .extend({
    family: z.enum(['4', '6']).optional().describe('4 or 6'),
    nasId: z.uuid().optional(),
  })
  .describe('q searches the pool name; sort: name, created_at');
export type PoolListQuery = z.infer<typeof poolListQuery>;

export const poolPage = pageSchema(poolSchema, 'IpPoolPage');
