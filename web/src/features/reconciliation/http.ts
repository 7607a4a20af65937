import { api, unwrap, type Schemas } from '../../api/client.ts';
import type { paths } from '../../api/schema.d.ts';

/* The reconciliation endpoints through the app's typed API client (CSRF, problem details). */

export type StatementSource = Schemas['StatementSource'];
export type StatementLine = Schemas['StatementLine'];
export type UnmatchedPayment = Schemas['UnmatchedPayment'];
export type ImportReport = Schemas['StatementImportReport'];
export type StatementMapping = Schemas['StatementMapping'];
export type Preset = Schemas['StatementPreset'];
type LineQuery = NonNullable<paths['/api/reconciliation/sources/{id}/lines']['get']['parameters']['query']>;
const id = (value: string) => ({ path: { id: value } });

export const reconciliation = {
  presets: () => unwrap(api.GET('/api/reconciliation/presets')),
  sources: () => unwrap(api.GET('/api/reconciliation/sources')),
  createSource: (body: Schemas['StatementSourceCreate']) => unwrap(api.POST('/api/reconciliation/sources', { body })),
  updateSource: (sourceId: string, body: Schemas['StatementSourceUpdate']) => unwrap(api.PATCH('/api/reconciliation/sources/{id}', { params: id(sourceId), body })),
  importStatement: (sourceId: string, file: File, dryRun: boolean) => {
    const form = new FormData();
    form.append('dryRun', String(dryRun));
    form.append('file', file);
    return unwrap(api.POST('/api/reconciliation/sources/{id}/imports', { params: id(sourceId), body: {} as never, bodySerializer: () => form }));
  },
  lines: (sourceId: string, query: LineQuery) => unwrap(api.GET('/api/reconciliation/sources/{id}/lines', { params: { ...id(sourceId), query } })),
  unmatchedPayments: (sourceId: string) => unwrap(api.GET('/api/reconciliation/sources/{id}/unmatched-payments', { params: { ...id(sourceId), query: {} } })),
  autoMatch: (sourceId: string) => unwrap(api.POST('/api/reconciliation/sources/{id}/auto-match', { params: id(sourceId) })),
  match: (lineId: string, paymentId: string) => unwrap(api.POST('/api/reconciliation/lines/{id}/match', { params: id(lineId), body: { paymentId } })),
  unmatch: (lineId: string) => unwrap(api.POST('/api/reconciliation/lines/{id}/unmatch', { params: id(lineId) })),
  ignore: (lineId: string, reason: string) => unwrap(api.POST('/api/reconciliation/lines/{id}/ignore', { params: id(lineId), body: { reason } })),
  credit: (lineId: string) => unwrap(api.POST('/api/reconciliation/lines/{id}/credit', { params: id(lineId) })),
  daily: (sourceId: string, from: string, to: string) => unwrap(api.GET('/api/reconciliation/sources/{id}/report', { params: { ...id(sourceId), query: { from, to } } })),
  settlement: (gateway: string, from: string, to: string) => unwrap(api.GET('/api/reconciliation/settlement', { params: { query: { gateway, from, to } } })),
};
