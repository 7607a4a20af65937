import { z } from 'zod';
import { organizationSchema, localeSchema } from '../organizations/organizations.schemas.ts';
import { userSchema, password } from '../users/users.schemas.ts';

export const loginSchema = z
  .object({ email: z.string().trim().toLowerCase().min(3).max(254), password })
  .meta({ id: 'Login' });

export const loginMfaSchema = z.object({ mfaToken: z.string().min(10).max(100), code: z.string().trim().regex(/^\d{6}$/, 'must be 6 digits') }).meta({ id: 'LoginMfa' });

export const meSchema = z
  .object({
    user: userSchema,
    organization: organizationSchema.describe('The organization you are working in'),
    homeOrganization: organizationSchema.describe('Your own organization'),
    permissions: z.array(z.string()),
    csrfToken: z.string().nullable().describe('Send as X-CSRF-Token on writes made with the session cookie'),
    via: z.enum(['session', 'api_token']),
  })
  .meta({ id: 'Me' });

export const loginResultSchema = z
  .discriminatedUnion('status', [
    z.object({ status: z.literal('signed-in'), me: meSchema }),
    z.object({ status: z.literal('mfa-required'), mfaToken: z.string() }),
  ])
  .meta({ id: 'LoginResult' });

export const updateMeSchema = z.object({ name: z.string().trim().min(1).max(200), locale: localeSchema.nullable() }).partial().meta({ id: 'UpdateMe' });

export const switchOrganizationSchema = z.object({ organizationId: z.uuid() }).meta({ id: 'SwitchOrganization' });

export const changePasswordSchema = z.object({ currentPassword: password, newPassword: password }).meta({ id: 'ChangePassword' });

export const resetPasswordSchema = z.object({ token: z.string().min(10).max(100), newPassword: password }).meta({ id: 'ResetPassword' });

export const totpSetupSchema = z
  .object({ secret: z.string().describe('Base32 secret for manual entry'), uri: z.string().describe('otpauth:// URI for a QR code') })
  .meta({ id: 'TotpSetup' });

export const totpCodeSchema = z.object({ code: z.string().trim().regex(/^\d{6}$/, 'must be 6 digits') }).meta({ id: 'TotpCode' });
export const totpDisableSchema = z.object({ password }).meta({ id: 'TotpDisable' });

export const sessionSchema = z
  .object({
    id: z.uuid(),
    current: z.boolean(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    createdAt: z.iso.datetime(),
    lastSeenAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'Session' });

export const setupStatusSchema = z.object({ needed: z.boolean(), platformName: z.string() }).meta({ id: 'SetupStatus' });

export const setupSchema = z
  .object({
    token: z.string().min(10).max(100),
    organization: z.object({
      name: z.string().trim().min(1).max(200),
      currency: z.string().trim().toUpperCase().length(3),
      timezone: z.string().trim().min(1).max(64),
      locale: localeSchema.default('en'),
    }),
    admin: z.object({
      name: z.string().trim().min(1).max(200),
      email: z.string().trim().toLowerCase().pipe(z.email().max(254)),
      password,
    }),
  })
  .meta({ id: 'Setup' });
