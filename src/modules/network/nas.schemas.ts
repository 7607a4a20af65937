import { z } from 'zod';
import { normaliseAddress } from '../../core/ipam.ts';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';

export const nasTypes = ['mikrotik', 'cisco', 'juniper', 'huawei', 'generic'] as const;
export const nasStatuses = ['unknown', 'up', 'down'] as const;
export const apiKinds = ['none', 'rest', 'binary'] as const;

const address = z
  .string()
  .max(64)
  .transform((value, ctx) => {
    const out = normaliseAddress(value);
    if (out === null) ctx.addIssue({ code: 'custom', message: 'must be one IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1' });
    return out ?? '';
  })
  .describe('The source address of its RADIUS packets; one NAS per address in the whole system');

/** Printable ASCII: what every NAS lets an operator type as a RADIUS secret. */
const secret = z
  .string()
  .regex(/^[\x20-\x7e]{8,128}$/, 'must be 8-128 printable characters')
  .describe('The RADIUS shared secret (write-only: stored encrypted, never returned)');

const coordinate = (max: number) => z.number().min(-max).max(max);

const managementApi = z
  .object({
    kind: z.enum(apiKinds).describe('none; rest: RouterOS v7 REST API; binary: the RouterOS API (v6)'),
    port: z.number().int().min(1).max(65535).nullable().optional().describe('Defaults to the usual port of the kind and TLS (80/443, 8728/8729)'),
    tls: z.boolean().default(false),
    username: z.string().trim().min(1).max(100).nullable().optional(),
    password: z.string().min(1).max(128).optional().describe('Write-only; required when a kind is set and none is stored'),
  })
  .meta({ id: 'NasManagementApiInput' });

const nasFields = {
  name: z.string().trim().min(1).max(100),
  type: z.enum(nasTypes),
  address,
  requireMessageAuthenticator: z
    .boolean()
    .describe('BlastRADIUS protection: refuse an Access-Request without a valid Message-Authenticator. Turn off only for a NAS that cannot send one'),
  coaPort: z.number().int().min(1).max(65535).describe('Where the NAS listens for CoA and Disconnect-Request'),
  location: z.string().trim().max(200),
  coordinates: z.object({ latitude: coordinate(90), longitude: coordinate(180) }).nullable(),
  description: z.string().trim().max(1000),
  managementApi,
};

export const createNasSchema = z
  .object({
    organizationId: z.uuid().optional().describe('Defaults to the organization you act in'),
    name: nasFields.name,
    type: nasFields.type,
    address: nasFields.address,
    secret,
    requireMessageAuthenticator: nasFields.requireMessageAuthenticator.default(true),
    coaPort: nasFields.coaPort.default(3799),
    location: nasFields.location.default(''),
    coordinates: nasFields.coordinates.default(null),
    description: nasFields.description.default(''),
    managementApi: managementApi.optional(),
  })
  .meta({ id: 'CreateNas' });
export type CreateNasInput = z.infer<typeof createNasSchema>;

export const updateNasSchema = z
  .object({
    name: nasFields.name.optional(),
    type: nasFields.type.optional(),
    address: nasFields.address.optional(),
    requireMessageAuthenticator: nasFields.requireMessageAuthenticator.optional(),
    coaPort: nasFields.coaPort.optional(),
    location: nasFields.location.optional(),
    coordinates: nasFields.coordinates.optional(),
    description: nasFields.description.optional(),
    managementApi: managementApi.optional(),
    active: z.boolean().optional().describe('false: deactivated; its packets are dropped like an unknown NAS'),
  })
  .meta({ id: 'UpdateNas' });
export type UpdateNasInput = z.infer<typeof updateNasSchema>;

export const rotateSecretSchema = z
  .object({ secret: secret.optional().describe('The new secret; omitted: a random one is made and returned once') })
  .meta({ id: 'RotateNasSecret' });

export const rotatedSecretSchema = z
  .object({ secret: z.string().describe('The new shared secret: shown this once, to enter on the NAS') })
  .meta({ id: 'RotatedNasSecret' });

export const nasEventSchema = z
  .object({
    id: z.uuid(),
    nasId: z.uuid(),
    nasName: z.string(),
    kind: z.enum(['down', 'up']),
    at: z.iso.datetime(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'NasEvent' });

export const nasSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    organizationName: z.string(),
    name: z.string(),
    type: z.enum(nasTypes),
    address: z.string(),
    secretSet: z.boolean().describe('The shared secret is never returned'),
    requireMessageAuthenticator: z.boolean(),
    warning: z.string().nullable().describe('Set when the NAS is configured less safely than the default'),
    coaPort: z.number().int(),
    location: z.string(),
    coordinates: z.object({ latitude: z.number(), longitude: z.number() }).nullable(),
    description: z.string(),
    managementApi: z.object({
      kind: z.enum(apiKinds),
      port: z.number().int().nullable(),
      tls: z.boolean(),
      username: z.string().nullable(),
      passwordSet: z.boolean(),
    }),
    status: z.enum(nasStatuses),
    statusChangedAt: z.iso.datetime().nullable(),
    lastSeenAt: z.iso.datetime().nullable(),
    active: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Nas' });
export type NasOutput = z.infer<typeof nasSchema>;

export const nasDetailSchema = nasSchema.extend({ events: z.array(nasEventSchema) }).meta({ id: 'NasDetail' });

const booleanText = z.enum(['true', 'false']).transform((v) => v === 'true');

export const nasListQuery = listQuerySchema
  .extend({
    type: z.enum(nasTypes).optional(),
    status: z.enum(nasStatuses).optional(),
    active: booleanText.optional(),
    organizationId: z.uuid().optional(),
  })
  .describe('q searches name, address and location; sort: name, address, status, created_at');
export type NasListQuery = z.infer<typeof nasListQuery>;

export const nasPage = pageSchema(nasSchema, 'NasPage');

export const nasEventsQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
export const nasEventList = z.object({ items: z.array(nasEventSchema) }).meta({ id: 'NasEventList' });
