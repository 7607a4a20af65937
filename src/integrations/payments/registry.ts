/**
 * Which adapter speaks for which gateway kind. One line per adapter; the gateways module finds an
 * account's adapter here and knows nothing else of any gateway.
 *
 * What the module hands an adapter beyond the organization's own settings: `callbackSecret` in the
 * credentials (the random secret of the account, also the last segment of every callback URL it
 * gives out; an adapter of a gateway that signs nothing compares it with `pathSecret`).
 */
import type { GatewayAdapter } from './contract.ts';
import { mpesaAdapter } from './mpesa/mpesa.ts';
import { bkashAdapter } from './bkash/bkash.ts';
import { stripeAdapter } from './stripe/adapter.ts';
import { paypalAdapter } from './paypal/adapter.ts';
import { nagadAdapter } from './nagad/adapter.ts';
import { familyBankAdapter } from './bank/family-bank.ts';

const adapters = new Map<string, GatewayAdapter>();

export function registerAdapter(adapter: GatewayAdapter): void {
  adapters.set(adapter.kind, adapter);
}

registerAdapter(mpesaAdapter);
registerAdapter(bkashAdapter);
registerAdapter(stripeAdapter);
registerAdapter(paypalAdapter);
registerAdapter(nagadAdapter);
registerAdapter(familyBankAdapter);

export function adapterFor(kind: string): GatewayAdapter | undefined {
  return adapters.get(kind);
}

export function gatewayKinds(): string[] {
  return [...adapters.keys()].sort();
}
