/** An account's sealed settings: opened for an adapter (with the callback secret), never for an answer. */
import type { GatewayAdapter, GatewayCredentials } from '../../integrations/payments/contract.ts';
import { adapterFor } from '../../integrations/payments/registry.ts';
import type { SecretBox } from '../../platform/crypto.ts';
import type { GatewayAccount } from '../../platform/db/schema/gateways.ts';
import { UnprocessableError } from '../../platform/errors.ts';

export function adapterOf(account: Pick<GatewayAccount, 'kind'>): GatewayAdapter {
  const adapter = adapterFor(account.kind);
  if (!adapter) throw new UnprocessableError(`No adapter speaks for the gateway ${account.kind}`);
  return adapter;
}

export function storedCredentials(secrets: SecretBox, account: Pick<GatewayAccount, 'credentials_enc'>): Record<string, string> {
  return JSON.parse(secrets.open(account.credentials_enc)) as Record<string, string>;
}

export function openCredentials(secrets: SecretBox, account: Pick<GatewayAccount, 'credentials_enc' | 'callback_secret_enc'>): GatewayCredentials {
  return { ...storedCredentials(secrets, account), callbackSecret: secrets.open(account.callback_secret_enc) };
}

/** Where a gateway posts about this account: the secret is the last path segment. */
export function callbackUrl(baseUrl: string, account: Pick<GatewayAccount, 'id'>, endpoint: string, secret: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/callbacks/${account.id}/${endpoint}/${secret}`;
}
