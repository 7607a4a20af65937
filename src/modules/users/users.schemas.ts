import { z } from 'zod';
import { listQuerySchema, pageSchema } from '../../platform/http/list.ts';
import type { User } from '../../platform/db/schema.ts';
import { localeSchema } from '../organizations/organizations.schemas.ts';

export const userSchema = z
  .object({
    id: z.uuid(),
    organizationId: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: z.string(),
    status: z.enum(['active', 'disabled']),
    locale: z.string().nullable(),
    totpEnabled: z.boolean(),
    lockedUntil: z.iso.datetime().nullable(),
    lastLoginAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });

const email = z.string().trim().toLowerCase().pipe(z.email().max(254));
export const password = z.string().min(1).max(256);

export const createUserSchema = z
  .object({
    organizationId: z.uuid().optional().describe('Defaults to the organization you are working in'),
    email,
    name: z.string().trim().min(1).max(200),
    role: z.string().min(1).max(40),
    password: password.optional().describe('Omit to get a one-time link for the user to choose a password'),
    locale: localeSchema.optional(),
  })
  .meta({ id: 'CreateUser' });

export const updateUserSchema = z
  .object({
    organizationId: z.uuid(),
    email,
    name: z.string().trim().min(1).max(200),
    role: z.string().min(1).max(40),
    status: z.enum(['active', 'disabled']),
    locale: localeSchema.nullable(),
  })
  .partial()
  .meta({ id: 'UpdateUser' });

export const createdUserSchema = z
  .object({
    user: userSchema,
    passwordLink: z
      .object({ url: z.string(), expiresAt: z.iso.datetime() })
      .nullable()
      .describe('When no password was given: a one-time link for the user to set one'),
  })
  .meta({ id: 'CreatedUser' });

export const passwordLinkSchema = z.object({ url: z.string(), expiresAt: z.iso.datetime() }).meta({ id: 'PasswordLink' });

export const userListQuery = listQuerySchema.extend({
  organizationId: z.uuid().optional(),
  role: z.string().max(40).optional(),
  status: z.enum(['active', 'disabled']).optional(),
});
export const userPage = pageSchema(userSchema, 'UserPage');

export type CreateUserInput = z.infer<typeof createUserSchema>;
export type UpdateUserInput = z.infer<typeof updateUserSchema>;
export type UserListQuery = z.infer<typeof userListQuery>;

export function mapUser(u: User): z.infer<typeof userSchema> {
  return {
    id: u.id,
    organizationId: u.organization_id,
    email: u.email,
    name: u.name,
    role: u.role_key,
    status: u.status,
    locale: u.locale,
    totpEnabled: u.totp_enabled,
    lockedUntil: u.locked_until?.toISOString() ?? null,
    lastLoginAt: u.last_login_at?.toISOString() ?? null,
    createdAt: u.created_at.toISOString(),
    updatedAt: u.updated_at.toISOString(),
  };
}
