/**
 * Demo mode (`uplink start --demo`): the M-PESA Daraja simulator runs inside the process and
 * answers as Safaricom would, with a payer who "enters the PIN" a few seconds after each push, and
 * the demo ISP's M-PESA account points at it. So the portal's "Pay now" works end to end on a
 * laptop with no Safaricom account. An M-PESA account the ISP set up itself is never touched.
 */
import { MpesaSimulator } from '../../integrations/payments/mpesa/simulator.ts';
import type { AppContext } from '../../platform/context.ts';
import { randomToken } from '../../platform/crypto.ts';
import * as repo from './gateways.repo.ts';

export const DEMO_MPESA_LABEL = 'M-PESA (demo simulator)';

export interface DemoGateways {
  readonly mpesa: MpesaSimulator;
  stop(): Promise<void>;
}

export async function startDemoGateways(deps: Pick<AppContext, 'db' | 'clock' | 'secrets'>, opts: { payAfterMs?: number } = {}): Promise<DemoGateways | null> {
  const isp = await deps.db.selectFrom('organizations').select('id').where('parent_id', 'is', null).where('kind', '=', 'isp').orderBy('created_at').executeTakeFirst();
  if (!isp) return null;
  const existing = await repo.accountByKind(deps.db, isp.id, 'mpesa');
  if (existing && existing.label !== DEMO_MPESA_LABEL) return null;
  const mpesa = await MpesaSimulator.start({ autoPayAfterMs: opts.payAfterMs ?? 4_000 });
  const now = deps.clock.now();
  // The simulator listens on a new port with new keys at each start: the account follows it.
  const values = { label: DEMO_MPESA_LABEL, enabled: true, accept_unknown_references: true, credentials_enc: deps.secrets.seal(JSON.stringify(mpesa.credentials)), updated_at: now };
  if (existing) await repo.updateAccount(deps.db, existing.id, values);
  else await repo.insertAccount(deps.db, { ...values, organization_id: isp.id, kind: 'mpesa', callback_secret_enc: deps.secrets.seal(randomToken(24)), created_at: now });
  return { mpesa, stop: () => mpesa.close() };
}
