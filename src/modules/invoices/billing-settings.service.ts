/** Staff read and change an organization's billing settings and invoice number formats. */
import { sql, type Kysely, type Transaction } from 'kysely';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit/audit.ts';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { billingSettingsOf } from '../billing/settings.ts';
import * as orgRepo from '../organizations/organizations.repo.ts';
import type { billingSettingsSchema, updateBillingSettingsSchema } from './invoices.schemas.ts';

type Deps = Pick<AppContext, 'db' | 'clock'>;
type Db = Kysely<DB> | Transaction<DB>;

async function read(db: Db, organizationId: string): Promise<z.infer<typeof billingSettingsSchema>> {
  const s = await billingSettingsOf(db, organizationId);
  const seq = await db.selectFrom('invoice_sequences').selectAll().where('organization_id', '=', organizationId).executeTakeFirst();
  return {
    organizationId,
    approvalRequired: s.approvalRequired,
    dueDays: s.dueDays,
    graceDays: s.graceDays,
    rounding: { ...s.roundingRules },
    paymentInstructions: s.paymentInstructions,
    invoiceFooter: s.invoiceFooter,
    invoiceNumberFormat: seq?.format ?? 'INV-{seq:6}',
    creditNoteNumberFormat: seq?.credit_note_format ?? 'CN-{seq:6}',
    lastInvoiceNumber: (seq?.last_invoice ?? 0n).toString(),
  };
}

async function organization(db: Db, actor: Actor, id: string) {
  const org = await orgRepo.findInScope(db, actor.principal.scope, id);
  if (!org) throw new NotFoundError('Organization');
  return org;
}

export async function getBillingSettings(deps: Deps, actor: Actor, organizationId: string) {
  requirePermission(actor, 'billing.read');
  await organization(deps.db, actor, organizationId);
  return read(deps.db, organizationId);
}

export async function updateBillingSettings(deps: Deps, actor: Actor, organizationId: string, input: z.infer<typeof updateBillingSettingsSchema>) {
  requirePermission(actor, 'billing.update');
  return deps.db.transaction().execute(async (trx) => {
    const org = await organization(trx, actor, organizationId);
    const before = await read(trx, organizationId);
    const values = {
      approval_required: input.approvalRequired,
      due_days: input.dueDays,
      grace_days: input.graceDays,
      rounding: input.rounding === undefined ? undefined : JSON.stringify(input.rounding),
      payment_instructions: input.paymentInstructions,
      invoice_footer: input.invoiceFooter,
    };
    const set = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
    await trx
      .insertInto('billing_settings')
      .values({ organization_id: organizationId, ...set })
      .onConflict((oc) => oc.column('organization_id').doUpdateSet({ ...set, updated_at: sql`now()` }))
      .execute();
    if (input.invoiceNumberFormat !== undefined || input.creditNoteNumberFormat !== undefined) {
      const formats = Object.fromEntries(
        Object.entries({ format: input.invoiceNumberFormat, credit_note_format: input.creditNoteNumberFormat }).filter(([, v]) => v !== undefined),
      );
      await trx
        .insertInto('invoice_sequences')
        .values({ organization_id: organizationId, ...formats })
        .onConflict((oc) => oc.column('organization_id').doUpdateSet(formats))
        .execute();
    }
    const after = await read(trx, organizationId);
    await appendAudit(trx, deps.clock, actor.audit, {
      action: 'billing_settings.update',
      organizationId,
      organizationPath: org.path,
      objectType: 'organization',
      objectId: organizationId,
      before,
      after,
    });
    return after;
  });
}
