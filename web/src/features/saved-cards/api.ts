import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client.ts';

export type SavedCards = Schemas['SavedCards'];

/** The subscriber's own cards: under the portal's key, so a payment that saved one refreshes it. */
export function usePortalSavedCards() {
  return useQuery({ queryKey: ['portal', 'saved-cards'], queryFn: () => unwrap(api.GET('/api/portal/saved-cards')) });
}

export function useRemoveSavedCard() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/portal/saved-cards/{id}', { params: { path: { id } } })),
    onSuccess: (cards) => queryClient.setQueryData(['portal', 'saved-cards'], cards),
  });
}

export function useSubscriberSavedCards(subscriberId: string) {
  return useQuery({
    queryKey: ['subscribers', subscriberId, 'saved-cards'],
    queryFn: () => unwrap(api.GET('/api/subscribers/{id}/saved-cards', { params: { path: { id: subscriberId } } })),
  });
}
