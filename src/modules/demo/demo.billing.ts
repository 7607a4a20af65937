/**
 * The demo's customers and their bills: a VAT class, four plans of the root ISP, forty subscribers
 * with a subscription each, wallets topped up for some, and portal logins for the first customer
 * accounts. Everything goes through the same use cases staff use (as the root developer), so the
 * demo shows invoices, ledger entries and statuses exactly as real work makes them.
 */
import type { AuditActor } from '../../platform/audit/audit.ts';
import { allPermissions } from '../../platform/auth/permissions.ts';
import type { Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import type { Organization, User } from '../../platform/db/schema.ts';
import { createPlan } from '../catalog/plans.service.ts';
import { createPlanSchema } from '../catalog/plans.schemas.ts';
import { createTaxClass } from '../catalog/tax-classes.service.ts';
import { createTaxClassSchema } from '../catalog/tax-classes.schemas.ts';
import { createSubscriber } from '../subscribers/subscribers.service.ts';
import { createSubscriberSchema } from '../subscribers/subscribers.schemas.ts';
import { createSubscription } from '../subscriptions/subscriptions.service.ts';
import { createSubscriptionSchema } from '../subscriptions/subscriptions.schemas.ts';
import { topUp } from '../wallets/wallets.service.ts';
import { topUpSchema } from '../wallets/wallets.schemas.ts';
import { kenyan } from './demo.names.ts';

type Deps = Pick<AppContext, 'db' | 'clock' | 'secrets'>;

export interface DemoBilling {
  subscribers: number;
  subscriptions: number;
  invoices: number;
  portalLogins: number;
}

const SUBSCRIBERS = 40;
const PORTAL_LOGINS = 10;

const kes = (price: string) => [{ currency: 'KES', components: [{ kind: 'fixed' as const, price }] }];
const speed = (down: number, up: number) => ({ download: { rateKbps: down, burst: null }, upload: { rateKbps: up, burst: null } });

function developerActor(user: User, root: Organization, audit: AuditActor): Actor {
  const scope = { orgId: root.id, orgPath: root.path };
  return {
    principal: { via: 'session', userId: user.id, userName: user.name, email: user.email, roleKey: user.role_key, locale: null, home: scope, scope, permissions: new Set(allPermissions) },
    audit,
  };
}

export async function loadDemoBilling(deps: Deps, audit: AuditActor, root: Organization, developer: User, customers: readonly User[]): Promise<DemoBilling> {
  const actor = developerActor(developer, root, audit);
  const vat = await createTaxClass(deps, actor, createTaxClassSchema.parse({ organizationId: root.id, code: 'VAT16', name: 'VAT 16% (included)', inclusive: true, rates: [{ code: 'VAT', percent: '16' }] }));
  const plan = (code: string, name: string, serviceType: string, billingModel: string, version: Record<string, unknown>) =>
    createPlan(deps, actor, createPlanSchema.parse({ organizationId: root.id, code, name, serviceType, billingModel, version: { taxClassId: vat.id, ...version } }));
  const plans = [
    await plan('HOME-10', 'Home 10 Mbps', 'pppoe', 'postpaid', { billing: { cycle: 'monthly' }, prices: kes('2500'), network: speed(10_000, 5_000) }),
    await plan('HOME-20', 'Home 20 Mbps', 'pppoe', 'postpaid', { billing: { cycle: 'monthly' }, prices: kes('3500'), network: speed(20_000, 10_000) }),
    await plan('HS-DAY', 'Hotspot day pass', 'hotspot', 'prepaid', { billing: { cycle: 'daily' }, prices: kes('50'), network: speed(5_000, 2_000) }),
    await plan('BIZ-50', 'Business 50 Mbps, static IP', 'static_ip', 'postpaid', { billing: { cycle: 'monthly', alignment: 'calendar' }, prices: kes('15000'), network: speed(50_000, 50_000) }),
  ];

  const linked: { user: User; subscriberId: string }[] = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const name = `${kenyan.given[i % kenyan.given.length]} ${kenyan.family[(i * 7) % kenyan.family.length]}`;
    const subscriber = await createSubscriber(
      deps,
      actor,
      createSubscriberSchema.parse({
        organizationId: root.id,
        name,
        status: 'active',
        contacts: [{ kind: 'phone', value: `+2547${String(10_000_000 + i * 1_234_567).slice(0, 8)}`, primary: true }],
        addresses: [{ line1: `House ${i + 1}, Ngong Road`, city: 'Nairobi', country: 'KE', installation: true }],
      }),
    );
    const chosen = plans[i % plans.length]!;
    // Prepaid day passes need money in the wallet before they renew; some postpaid customers paid ahead.
    if (chosen.billingModel === 'prepaid' || i % 5 === 0)
      await topUp(deps, actor, subscriber.id, topUpSchema.parse({ amount: chosen.billingModel === 'prepaid' ? '500' : '3000', reference: `DEMO-${i + 1}`, payInvoices: true }));
    await createSubscription(deps, actor, createSubscriptionSchema.parse({ subscriberId: subscriber.id, planId: chosen.id }));
    const customer = customers[i];
    if (customer && i < PORTAL_LOGINS) linked.push({ user: customer, subscriberId: subscriber.id });
  }
  for (const { user, subscriberId } of linked) await deps.db.updateTable('users').set({ subscriber_id: subscriberId }).where('id', '=', user.id).execute();
  const billed = await deps.db.selectFrom('invoices').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return { subscribers: SUBSCRIBERS, subscriptions: SUBSCRIBERS, invoices: Number(billed.n), portalLogins: linked.length };
}
