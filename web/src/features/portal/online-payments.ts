import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, newIdempotencyKey, unwrap, type Schemas } from '../../api/client.ts';

export type PaymentIntent = Schemas['PaymentIntent'];
export type StartPayment = Schemas['StartPayment'];

export function useGateways() {
  return useQuery({ queryKey: ['portal', 'gateways'], queryFn: () => unwrap(api.GET('/api/portal/gateways')) });
}

export function useStartPayment() {
  return useMutation({
    mutationFn: (body: StartPayment) => unwrap(api.POST('/api/portal/payments', { body, headers: { 'Idempotency-Key': newIdempotencyKey() } })),
  });
}

/** An online payment, asked about every 3 s while it waits for the payer; the portal refreshes when it settles. */
export function usePaymentIntent(id: string) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: ['portal-payment', id],
    queryFn: async () => {
      const intent = await unwrap(api.GET('/api/portal/payments/{id}', { params: { path: { id } } }));
      if (intent.status !== 'pending') await queryClient.invalidateQueries({ queryKey: ['portal'] });
      return intent;
    },
    refetchInterval: (query) => (query.state.data?.status === 'pending' ? 3000 : false),
  });
}

/** Back from a redirect checkout (bKash): ask the server to finish the payment with the gateway. */
export function useCompletePayment(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/portal/payments/{id}/complete', { params: { path: { id } } })),
    onSuccess: (intent) => {
      queryClient.setQueryData(['portal-payment', id], intent);
      return queryClient.invalidateQueries({ queryKey: ['portal'] });
    },
  });
}
