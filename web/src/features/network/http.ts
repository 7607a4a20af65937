import { api, unwrap, type Schemas } from '../../api/client.ts';
import type { paths } from '../../api/schema.d.ts';

/* The network endpoints through the app's typed API client (CSRF, problem details). */

type NasListQuery = NonNullable<paths['/api/nas']['get']['parameters']['query']>;
type PoolListQuery = NonNullable<paths['/api/ip-pools']['get']['parameters']['query']>;
const id = (value: string) => ({ path: { id: value } });

export const network = {
  listNas: (query: NasListQuery) => unwrap(api.GET('/api/nas', { params: { query } })),
  getNas: (nasId: string) => unwrap(api.GET('/api/nas/{id}', { params: id(nasId) })),
  createNas: (body: Schemas['CreateNasInput']) => unwrap(api.POST('/api/nas', { body })),
  updateNas: (nasId: string, body: Schemas['UpdateNasInput']) => unwrap(api.PATCH('/api/nas/{id}', { params: id(nasId), body })),
  rotateSecret: (nasId: string) => unwrap(api.POST('/api/nas/{id}/rotate-secret', { params: id(nasId), body: {} })),
  events: () => unwrap(api.GET('/api/nas/events', { params: { query: { limit: 50 } } })),
  listPools: (query: PoolListQuery) => unwrap(api.GET('/api/ip-pools', { params: { query } })),
  getPool: (poolId: string) => unwrap(api.GET('/api/ip-pools/{id}', { params: id(poolId) })),
  createPool: (body: Schemas['CreateIpPoolInput']) => unwrap(api.POST('/api/ip-pools', { body })),
  updatePool: (poolId: string, body: Schemas['UpdateIpPoolInput']) => unwrap(api.PATCH('/api/ip-pools/{id}', { params: id(poolId), body })),
  deletePool: (poolId: string) => unwrap(api.DELETE('/api/ip-pools/{id}', { params: id(poolId) })),
  addSubnet: (poolId: string, body: Schemas['CreateIpSubnetInput']) => unwrap(api.POST('/api/ip-pools/{id}/subnets', { params: id(poolId), body })),
  deleteSubnet: (subnetId: string) => unwrap(api.DELETE('/api/ip-subnets/{id}', { params: id(subnetId) })),
  reserve: (subnetId: string, body: Schemas['CreateIpReservationInput']) => unwrap(api.POST('/api/ip-subnets/{id}/reservations', { params: id(subnetId), body })),
  unreserve: (reservationId: string) => unwrap(api.DELETE('/api/ip-reservations/{id}', { params: id(reservationId) })),
  assign: (poolId: string, body: Schemas['AssignIpAddressInput']) => unwrap(api.POST('/api/ip-pools/{id}/assignments', { params: id(poolId), body })),
  release: (assignmentId: string) => unwrap(api.DELETE('/api/ip-assignments/{id}', { params: id(assignmentId) })),
};
