import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client.ts';

export type GatewayAccount = Schemas['GatewayAccount'];
export type SaveGatewayAccount = Schemas['SaveGatewayAccount'];

const root = 'gateways';

export const useGatewayKinds = () => useQuery({ queryKey: [root, 'kinds'], queryFn: () => unwrap(api.GET('/api/gateways/kinds')) });
export const useGatewayAccounts = () => useQuery({ queryKey: [root, 'accounts'], queryFn: () => unwrap(api.GET('/api/gateways')) });
export const useSecurityEvents = () => useQuery({ queryKey: [root, 'security'], queryFn: () => unwrap(api.GET('/api/gateways/security-events', { params: { query: { limit: 50 } } })) });

export function useSaveGatewayAccount() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SaveGatewayAccount) => unwrap(api.PUT('/api/gateways', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: [root] }),
  });
}

export function useCallbackUrls() {
  return useMutation({ mutationFn: (id: string) => unwrap(api.GET('/api/gateways/{id}/callback-urls', { params: { path: { id } } })) });
}
