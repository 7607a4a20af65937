import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, newIdempotencyKey, unwrap, type Schemas } from '../../api/client.ts';
import { useCursorList } from '../../components/lists.tsx';
import type { InvoiceStatus } from './model.ts';

/** Every portal query sits under this key, so a payment refreshes the whole portal at once. */
const root = 'portal';

export function useProfile() {
  return useQuery({ queryKey: [root, 'me'], queryFn: () => unwrap(api.GET('/api/portal/me')) });
}

export function useSubscriptions() {
  return useQuery({ queryKey: [root, 'subscriptions'], queryFn: () => unwrap(api.GET('/api/portal/subscriptions')) });
}

export function useInvoices(status?: InvoiceStatus[]) {
  return useCursorList([root, 'invoices', status ?? 'all'], (cursor) =>
    unwrap(api.GET('/api/portal/invoices', { params: { query: { limit: 20, cursor, status } } })),
  );
}

export function useInvoice(id: string) {
  return useQuery({ queryKey: [root, 'invoice', id], queryFn: () => unwrap(api.GET('/api/portal/invoices/{id}', { params: { path: { id } } })) });
}

export function useWalletStatement() {
  return useCursorList([root, 'statement'], (cursor) => unwrap(api.GET('/api/portal/wallet/statement', { params: { query: { limit: 30, cursor } } })));
}

export type WalletPayment = Schemas['PortalWalletPayment'];

/**
 * `onPaid` runs before the portal refreshes: a paid invoice leaves the list that showed its button,
 * and a callback given to `mutate` would go with it.
 */
export function usePayFromWallet(onPaid: (payment: WalletPayment) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    // One key per tap: a retried request gets the first answer instead of paying twice.
    mutationFn: (invoiceId: string) =>
      unwrap(api.POST('/api/portal/invoices/{id}/pay-from-wallet', { params: { path: { id: invoiceId } }, headers: { 'Idempotency-Key': newIdempotencyKey() } })),
    onSuccess: (payment) => {
      onPaid(payment);
      return queryClient.invalidateQueries({ queryKey: [root] });
    },
  });
}

/** The invoice PDF: a plain link, the session cookie authenticates the download. */
export function invoicePdfUrl(id: string, language: string): string {
  return `/api/portal/invoices/${id}/pdf?locale=${encodeURIComponent(language)}`;
}
