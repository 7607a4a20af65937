import { describe, expect, it } from 'vitest';
import { refreshPlans } from '../../src/modules/installments/installments.service.ts';
import { runOverdue } from '../../src/modules/billing/penalties.jobs.ts';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { created, fixtures } from './support.ts';

describe(`write-offs, disputes and installment plans (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const accountant = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'accountant'));
  const staff = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'staff'));
  const support = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'support'));
  const outsider = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'reseller'));
  t.clock.set(new Date('2026-04-01T08:00:00Z'));
  const f = fixtures(t, tree.isp, admin, accountant);

  describe('bad-debt write-off', () => {
    it('writes off what is unpaid as bad debt: the invoice is settled, receivables fall, the books balance; a reversal reopens it', async () => {
      const s = await f.subscriber();
      const inv = await f.invoice(s.id, '1000');
      await f.pay(s.id, '250');
      const badDebtBefore = await f.accountSum('bad_debt');
      const res = await accountant.post(`/api/invoices/${inv.id}/write-off`, { reason: 'Moved away, unreachable' });
      expect(res.statusCode, res.body).toBe(201);
      const w = json(res);
      expect(w).toMatchObject({ amount: '750.00', reason: 'Moved away, unreachable', reversedAt: null });
      expect(await f.getInvoice(inv.id)).toMatchObject({ status: 'paid', amountPaid: '250.00', amountCredited: '750.00', balanceDue: '0.00' });
      expect((await f.getInvoice(inv.id)).allocations.map((a) => a.source)).toEqual(['payment', 'write_off']);
      expect(await f.accountSum('bad_debt')).toBe(badDebtBefore + 75000n);
      expect(await f.accountSum('accounts_receivable', s.id)).toBe(0n);
      await f.expectBalancedBooks();

      const twice = await accountant.post(`/api/invoices/${inv.id}/write-off`, { reason: 'again' });
      expect(twice.statusCode).toBe(409);

      const undo = await accountant.post(`/api/write-offs/${w.id}/reverse`, { reason: 'Subscriber came back and will pay' });
      expect(undo.statusCode, undo.body).toBe(200);
      expect(json(undo).reversalEntryId).toBeTruthy();
      expect(await f.getInvoice(inv.id)).toMatchObject({ status: 'partially_paid', amountCredited: '0.00', balanceDue: '750.00' });
      expect(await f.accountSum('bad_debt')).toBe(badDebtBefore);
      expect(await f.accountSum('accounts_receivable', s.id)).toBe(75000n);
      expect((await accountant.post(`/api/write-offs/${w.id}/reverse`, { reason: 'again' })).statusCode).toBe(409);
      // Written off again after the reversal: a new entry, a new write-off.
      expect((await accountant.post(`/api/invoices/${inv.id}/write-off`, { reason: 'Gone for good' })).statusCode).toBe(201);
      expect(json(await accountant.get(`/api/invoices/${inv.id}/write-offs`)).items).toHaveLength(2);
      await f.expectBalancedBooks();
      const actions = await t.ctx.db.selectFrom('audit_log').select('action').where('object_id', '=', inv.id).where('action', 'like', 'invoice.write_off%').execute();
      expect(actions.map((a) => a.action)).toEqual(['invoice.write_off', 'invoice.write_off_reversed', 'invoice.write_off']);
    });

    it('refuses a paid invoice, staff without payments.update, and another tenant (404)', async () => {
      const s = await f.subscriber();
      const inv = await f.invoice(s.id, '100');
      expect((await staff.post(`/api/invoices/${inv.id}/write-off`, { reason: 'x' })).statusCode).toBe(403);
      expect((await outsider.post(`/api/invoices/${inv.id}/write-off`, { reason: 'x' })).statusCode).toBe(404);
      await f.pay(s.id, '100');
      const paid = await accountant.post(`/api/invoices/${inv.id}/write-off`, { reason: 'x' });
      expect(paid.statusCode).toBe(409);
      expect(json(paid).detail).toMatch(/is paid: only an unpaid invoice can be written off/);
    });
  });

  describe('disputes', () => {
    it('opens, reviews with notes and resolves by a credit note; the lifecycle is enforced', async () => {
      const s = await f.subscriber();
      const inv = await f.invoice(s.id, '1200');
      const opened = await created(staff.post('/api/disputes', { invoiceId: inv.id, subject: 'Charged for a month without service', note: 'Line was down 3-28 March', holdCollections: true }));
      expect(opened).toMatchObject({ status: 'open', subscriberId: s.id, invoiceNumber: inv.number, holdCollections: true, resolution: null });
      expect(opened.notes.map((n: { body: string }) => n.body)).toEqual(['Line was down 3-28 March']);
      const noted = json(await staff.post(`/api/disputes/${opened.id}/notes`, { body: 'Called the subscriber back' }));
      expect(noted.notes).toHaveLength(2);
      expect((await staff.post(`/api/disputes/${opened.id}/review`, {})).statusCode).toBe(403);
      const review = json(await admin.post(`/api/disputes/${opened.id}/review`, { note: 'NOC confirms the outage' }));
      expect(review.status).toBe('under_review');
      expect((await admin.post(`/api/disputes/${opened.id}/review`, {})).statusCode).toBe(409);
      const resolved = await admin.post(`/api/disputes/${opened.id}/resolve`, { resolution: 'credit_note', note: 'Outage confirmed: month credited' });
      expect(resolved.statusCode, resolved.body).toBe(200);
      expect(json(resolved)).toMatchObject({ status: 'resolved', resolution: 'credit_note' });
      expect(json(resolved).creditNoteId).toBeTruthy();
      expect(await f.getInvoice(inv.id)).toMatchObject({ status: 'paid', amountCredited: '1200.00' });
      expect((await admin.post(`/api/disputes/${opened.id}/resolve`, { resolution: 'rejected', note: 'x' })).statusCode).toBe(409);
      const list = json(await support.get('/api/disputes?status=resolved'));
      expect(list.items.map((d: { id: string }) => d.id)).toContain(opened.id);
      expect(json(await support.get('/api/disputes?status=active')).items.map((d: { id: string }) => d.id)).not.toContain(opened.id);
      await f.expectBalancedBooks();
    });

    it('resolves a dispute on a payment by a refund, or rejects one; bad input is a clear 4xx', async () => {
      const s = await f.subscriber();
      await f.invoice(s.id, '500');
      const { payment } = await f.pay(s.id, '800');
      const d = await created(staff.post('/api/disputes', { paymentId: payment.id, subject: 'Paid 300 too much' }));
      const tooMuch = await admin.post(`/api/disputes/${d.id}/resolve`, { resolution: 'refund', destination: 'cash', amount: '900', note: 'refund' });
      expect(tooMuch.statusCode).toBe(422);
      expect(json(await admin.get(`/api/disputes/${d.id}`)).status).toBe('open');
      const ok = await admin.post(`/api/disputes/${d.id}/resolve`, { resolution: 'refund', destination: 'cash', amount: '300', note: 'Overpayment returned' });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(json(ok).reversalId).toBeTruthy();
      expect((await f.wallet(s.id)).balance).toBe('0.00');
      expect(await f.payment(payment.id)).toMatchObject({ status: 'partially_refunded', amount_refunded: 30000n });

      const inv = await f.invoice(s.id, '100');
      const r = await created(staff.post('/api/disputes', { invoiceId: inv.id, subject: 'Do not recognise this' }));
      const rejected = json(await admin.post(`/api/disputes/${r.id}/resolve`, { resolution: 'rejected', note: 'Installation was signed for' }));
      expect(rejected).toMatchObject({ status: 'rejected', resolution: 'rejected', resolutionNote: 'Installation was signed for' });
      expect((await f.getInvoice(inv.id)).status).toBe('open');
      expect((await staff.post('/api/disputes', { subject: 'nothing named' })).statusCode).toBe(400);
      expect((await admin.post(`/api/disputes/${r.id}/resolve`, { resolution: 'maybe', note: 'x' })).statusCode).toBe(400);
      expect((await outsider.get(`/api/disputes/${r.id}`)).statusCode).toBe(404);
      expect((await outsider.post(`/api/disputes/${r.id}/notes`, { body: 'x' })).statusCode).toBe(404);
      expect((await outsider.post('/api/disputes', { invoiceId: inv.id, subject: 'x' })).statusCode).toBe(404);
      expect(json(await outsider.get('/api/disputes')).items.map((x: { id: string }) => x.id)).not.toContain(r.id);
      await f.expectBalancedBooks();
    });

    it('an open dispute that holds collections keeps its invoice out of late penalties', async () => {
      const cls = await created(admin.post('/api/billing/penalty-classes', { organizationId: tree.isp.id, name: `Late ${Date.now()}`, kind: 'fixed', amount: '100' }));
      const held = await f.subscriber();
      const free = await f.subscriber();
      for (const s of [held, free]) expect((await admin.put(`/api/subscribers/${s.id}/penalty-class`, { penaltyClassId: cls.id })).statusCode).toBeLessThan(300);
      const heldInv = await f.invoice(held.id, '400');
      const freeInv = await f.invoice(free.id, '400');
      await created(staff.post('/api/disputes', { invoiceId: heldInv.id, subject: 'Wrong plan billed', holdCollections: true }));
      t.clock.set(new Date('2026-05-10T08:00:00Z'));
      await runOverdue(t.ctx);
      const penalties = await t.ctx.db.selectFrom('invoice_lines').select('penalty_for_invoice_id').where('penalty_for_invoice_id', 'in', [heldInv.id, freeInv.id]).execute();
      expect(penalties.map((p) => p.penalty_for_invoice_id)).toEqual([freeInv.id]);
      t.clock.set(new Date('2026-04-01T08:00:00Z'));
    });
  });

  describe('installment plans', () => {
    it('schedules overdue invoices in installments; payments cover them in order; the job completes a plan that is paid', async () => {
      const s = await f.subscriber();
      const a = await f.invoice(s.id, '700');
      const b = await f.invoice(s.id, '300.01');
      const res = await admin.post('/api/installment-plans', { subscriberId: s.id, invoiceIds: [a.id, b.id], count: 3, firstDue: '2026-04-30', frequency: 'monthly', remainder: 'first' });
      expect(res.statusCode, res.body).toBe(201);
      const plan = json(res);
      expect(plan).toMatchObject({ status: 'active', total: '1000.01', paid: '0.00' });
      expect(plan.installments).toEqual([
        { seq: 1, dueDate: '2026-04-30', amount: '333.35', paid: '0.00', status: 'due' },
        { seq: 2, dueDate: '2026-05-30', amount: '333.33', paid: '0.00', status: 'due' },
        { seq: 3, dueDate: '2026-06-30', amount: '333.33', paid: '0.00', status: 'due' },
      ]);
      const again = await admin.post('/api/installment-plans', { subscriberId: s.id, invoiceIds: [a.id], count: 2, firstDue: '2026-04-30' });
      expect(again.statusCode).toBe(409);

      await f.pay(s.id, '400');
      const partly = json(await support.get(`/api/installment-plans/${plan.id}`));
      expect(partly.paid).toBe('400.00');
      expect(partly.installments.map((i: { paid: string; status: string }) => [i.paid, i.status])).toEqual([
        ['333.35', 'paid'],
        ['66.65', 'due'],
        ['0.00', 'due'],
      ]);
      await f.pay(s.id, '600.01');
      expect(await refreshPlans(t.ctx)).toMatchObject({ completed: 1 });
      const done = json(await support.get(`/api/installment-plans/${plan.id}`));
      expect(done).toMatchObject({ status: 'completed', paid: '1000.01' });
      expect(done.installments.every((i: { status: string }) => i.status === 'paid')).toBe(true);
      const released = await t.ctx.db.selectFrom('installment_plan_invoices').select('released_at').where('plan_id', '=', plan.id).execute();
      expect(released.every((r) => r.released_at !== null)).toBe(true);
    });

    it('the job marks a missed installment overdue and breaks the plan after the grace days, releasing its invoices', async () => {
      const s = await f.subscriber();
      const inv = await f.invoice(s.id, '900');
      const plan = await created(admin.post('/api/installment-plans', { subscriberId: s.id, invoiceIds: [inv.id], count: 3, firstDue: '2026-04-15', graceDays: 2 }));
      await f.pay(s.id, '300');
      t.clock.set(new Date('2026-05-16T08:00:00Z'));
      expect((await refreshPlans(t.ctx)).broken).toBe(0);
      const late = json(await support.get(`/api/installment-plans/${plan.id}`));
      expect(late.installments.map((i: { status: string }) => i.status)).toEqual(['paid', 'overdue', 'due']);
      const stored = await t.ctx.db.selectFrom('installments').select(['seq', 'status']).where('plan_id', '=', plan.id).orderBy('seq').execute();
      expect(stored.map((r) => r.status)).toEqual(['paid', 'overdue', 'due']);
      t.clock.set(new Date('2026-05-18T08:00:00Z'));
      expect((await refreshPlans(t.ctx)).broken).toBeGreaterThanOrEqual(1);
      expect(json(await support.get(`/api/installment-plans/${plan.id}`)).status).toBe('broken');
      const held = await t.ctx.db.selectFrom('installment_plan_invoices').select('released_at').where('plan_id', '=', plan.id).executeTakeFirstOrThrow();
      expect(held.released_at).not.toBeNull();
      const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'after']).where('object_id', '=', plan.id).orderBy('seq').execute();
      expect(audit.map((r) => r.action)).toEqual(['installment_plan.create', 'installment_plan.break']);
      t.clock.set(new Date('2026-04-01T08:00:00Z'));
    });

    it('refuses invoices of another subscriber, paid invoices and bad schedules; cancels; tenancy', async () => {
      const s = await f.subscriber();
      const other = await f.subscriber();
      const mine = await f.invoice(s.id, '100');
      const theirs = await f.invoice(other.id, '100');
      const wrong = await admin.post('/api/installment-plans', { subscriberId: s.id, invoiceIds: [mine.id, theirs.id], count: 2, firstDue: '2026-05-01' });
      expect(wrong.statusCode).toBe(422);
      const tooMany = await admin.post('/api/installment-plans', { subscriberId: s.id, invoiceIds: [mine.id], count: 10001, firstDue: '2026-05-01' });
      expect(tooMany.statusCode).toBe(400);
      const tooSmall = await admin.post('/api/installment-plans', { subscriberId: s.id, invoiceIds: [mine.id], count: 60, firstDue: '2026-05-01' });
      expect(tooSmall.statusCode, tooSmall.body).toBe(201);
      expect((await staff.post('/api/installment-plans', { subscriberId: s.id, invoiceIds: [mine.id], count: 2, firstDue: '2026-05-01' })).statusCode).toBe(403);
      expect((await outsider.get(`/api/installment-plans/${json(tooSmall).id}`)).statusCode).toBe(404);
      expect((await outsider.post('/api/installment-plans', { subscriberId: s.id, invoiceIds: [mine.id], count: 2, firstDue: '2026-05-01' })).statusCode).toBe(404);
      const cancelled = await admin.post(`/api/installment-plans/${json(tooSmall).id}/cancel`, { reason: 'Subscriber asked for one payment' });
      expect(json(cancelled).status).toBe('cancelled');
      await f.pay(s.id, '100');
      const paid = await admin.post('/api/installment-plans', { subscriberId: s.id, invoiceIds: [mine.id], count: 2, firstDue: '2026-05-01' });
      expect(paid.statusCode).toBe(422);
      expect(json(paid).detail).toMatch(/Nothing is owed on invoice/);
    });
  });
});
