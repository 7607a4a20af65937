import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client.ts';
import { useCursorList } from '../../components/lists.tsx';

export type CardBatch = Schemas['CardBatch'];
export type Card = Schemas['Card'];
export type CardState = Card['state'];
export const cardStates: CardState[] = ['generated', 'assigned', 'sold', 'redeemed', 'expired', 'void'];

const root = 'cards';

export function useBatches() {
  return useCursorList([root, 'batches'], (cursor) => unwrap(api.GET('/api/cards/batches', { params: { query: { limit: 50, cursor } } })));
}

export function useBatch(id: string) {
  return useQuery({ queryKey: [root, 'batch', id], queryFn: () => unwrap(api.GET('/api/cards/batches/{id}', { params: { path: { id } } })) });
}

export function useBatchCards(id: string, state?: CardState) {
  return useCursorList([root, 'batch', id, 'cards', state ?? 'all'], (cursor) =>
    unwrap(api.GET('/api/cards/batches/{id}/cards', { params: { path: { id }, query: { limit: 100, state, cursor: cursor === undefined ? undefined : Number(cursor) } } })),
  );
}

export function useDistributors() {
  return useQuery({ queryKey: [root, 'distributors'], queryFn: () => unwrap(api.GET('/api/cards/distributors')) });
}

/** Card partners the caller sees: the organizations of kind card_partner in its tree. */
export function useCardPartners() {
  return useQuery({
    queryKey: [root, 'partners'],
    queryFn: async () => (await unwrap(api.GET('/api/organizations', { params: { query: { limit: 200 } } }))).items.filter((o) => o.kind === 'card_partner'),
  });
}

/** Money a card partner paid for cards it sold (cash or a bank transfer, with its reference). */
export function useRecordDistributorPayment(distributorId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['CardDistributorPayment']) => unwrap(api.POST('/api/cards/distributors/{id}/payments', { params: { path: { id: distributorId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [root, 'distributors'] }),
  });
}

export function useCreateBatch() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas['CreateCardBatch']) => unwrap(api.POST('/api/cards/batches', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [root] }),
  });
}

export type RangeAction = 'assign' | 'sell' | 'void';

export function useRangeAction(batchId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { action: RangeAction; from: number; to: number; distributorId?: string; commissionPercent?: string; reason?: string }) => {
      const params = { path: { id: batchId } };
      const range = { from: input.from, to: input.to };
      if (input.action === 'assign') return unwrap(api.POST('/api/cards/batches/{id}/assign', { params, body: { ...range, distributorId: input.distributorId ?? '', commissionPercent: input.commissionPercent || '0' } }));
      if (input.action === 'sell') return unwrap(api.POST('/api/cards/batches/{id}/sell', { params, body: { ...range, commissionSettlement: 'withheld', via: 'cash' } }));
      return unwrap(api.POST('/api/cards/batches/{id}/void', { params, body: { ...range, reason: input.reason ?? '' } }));
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [root] }),
  });
}
