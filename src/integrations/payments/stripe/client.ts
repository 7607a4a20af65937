/** One `stripe` client per key and base URL, and Stripe's failures as our problems. */
import Stripe from 'stripe';
import { AppError } from '../../../platform/errors.ts';
import type { GatewayCredentials } from '../contract.ts';
import { StripeAmountError } from './amounts.ts';

const clients = new Map<string, Stripe>();

/** One client per key and base URL; `apiBase` points it at the simulator. */
export function client(creds: GatewayCredentials): Stripe {
  const secretKey = creds.secretKey;
  if (!secretKey) throw new AppError(422, 'gateway-misconfigured', 'Stripe secret key is not set for this organization');
  const base = creds.apiBase ?? '';
  const cacheKey = `${base}\n${secretKey}`;
  let found = clients.get(cacheKey);
  if (!found) {
    const config: Stripe.StripeConfig = { maxNetworkRetries: 2, timeout: 20_000, telemetry: false };
    if (base) {
      const url = new URL(base);
      config.host = url.hostname;
      config.port = url.port || (url.protocol === 'http:' ? '80' : '443');
      config.protocol = url.protocol === 'http:' ? 'http' : 'https';
    }
    found = new Stripe(secretKey, config);
    clients.set(cacheKey, found);
  }
  return found;
}

/** A Stripe failure as one clear problem; the key and the card number never appear in it. */
export function gatewayFailure(err: unknown, doing: string): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof StripeAmountError) return new AppError(422, 'gateway-amount', err.message);
  if (err instanceof Stripe.errors.StripeError) {
    if (err.type === 'StripeConnectionError') return new AppError(503, 'gateway-unavailable', `Stripe could not be reached while ${doing}; try again shortly`);
    if (err.type === 'StripeAuthenticationError') return new AppError(502, 'gateway-auth', `Stripe refused the organization's secret key while ${doing}`);
    const code = err.code ? ` (${err.code})` : '';
    return new AppError(502, 'gateway-error', `Stripe refused ${doing}: ${err.message}${code}`);
  }
  return new AppError(502, 'gateway-error', `Stripe failed while ${doing}: ${err instanceof Error ? err.message : String(err)}`);
}

export async function call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw gatewayFailure(err, doing);
  }
}
