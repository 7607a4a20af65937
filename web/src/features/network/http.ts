import { api, unwrap } from '../../api/client.ts';
import type { IpPool, IpPoolDetail, Nas, NasDetail, NasEvent } from './model.ts';

/*
 * The network endpoints through the app's API client (CSRF, problem details). Its generated path
 * types (web/src/api/schema.d.ts) are regenerated with `npm run openapi`; until they carry these
 * paths the calls go through this small untyped view of the same client, typed by model.ts.
 */
interface Answer {
  data?: unknown;
  error?: unknown;
  response: Response;
}
interface Init {
  params?: { path?: Record<string, string>; query?: Record<string, string | number | undefined> };
  body?: unknown;
}
const client = api as unknown as Record<'GET' | 'POST' | 'PATCH' | 'DELETE', (path: string, init?: Init) => Promise<Answer>>;
const call = <T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, init?: Init) => unwrap(client[method](path, init) as Promise<{ data?: T; error?: unknown; response: Response }>);
const id = (value: string) => ({ path: { id: value } });

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const network = {
  listNas: (query: Record<string, string | number | undefined>) => call<Page<Nas>>('GET', '/api/nas', { params: { query } }),
  getNas: (nasId: string) => call<NasDetail>('GET', '/api/nas/{id}', { params: id(nasId) }),
  createNas: (body: unknown) => call<Nas>('POST', '/api/nas', { body }),
  updateNas: (nasId: string, body: unknown) => call<Nas>('PATCH', '/api/nas/{id}', { params: id(nasId), body }),
  rotateSecret: (nasId: string) => call<{ secret: string }>('POST', '/api/nas/{id}/rotate-secret', { params: id(nasId), body: {} }),
  events: () => call<{ items: NasEvent[] }>('GET', '/api/nas/events', { params: { query: { limit: 50 } } }),
  listPools: (query: Record<string, string | number | undefined>) => call<Page<IpPool>>('GET', '/api/ip-pools', { params: { query } }),
  getPool: (poolId: string) => call<IpPoolDetail>('GET', '/api/ip-pools/{id}', { params: id(poolId) }),
  createPool: (body: unknown) => call<IpPoolDetail>('POST', '/api/ip-pools', { body }),
  addSubnet: (poolId: string, body: unknown) => call<IpPoolDetail>('POST', '/api/ip-pools/{id}/subnets', { params: id(poolId), body }),
};
