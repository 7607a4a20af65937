import { freshAudit, type ProbeFactory } from './world.ts';

export const auditProbes: ProbeFactory = async (w) => {
  const marker = `foreign-${crypto.randomUUID()}`;
  const foreignSeq = await freshAudit(w, w.outsider, marker);
  return {
    list: {
      own: (api) => api.get('/api/audit?limit=200'),
      foreign: async (api) => {
        const res = await api.get('/api/audit?limit=200');
        return { res, leaked: async () => res.body.includes(marker) };
      },
    },
    get: {
      own: async (api) => api.get(`/api/audit/${await freshAudit(w, w.home, `own-${crypto.randomUUID()}`)}`),
      foreign: async (api) => ({ res: await api.get(`/api/audit/${foreignSeq}`), leaked: async () => false }),
    },
    export: {
      own: (api) => api.get('/api/audit/export'),
      foreign: async (api) => {
        const res = await api.get('/api/audit/export');
        return { res, leaked: async () => res.body.includes(marker) };
      },
    },
  };
};
