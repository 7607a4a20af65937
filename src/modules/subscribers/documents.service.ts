import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { requirePermission, type Actor } from '../../platform/auth/principal.ts';
import type { AppContext } from '../../platform/context.ts';
import { AppError, BadRequestError, NotFoundError } from '../../platform/errors.ts';
import { fileStoreFor } from '../../platform/files/store.ts';
import * as repo from './documents.repo.ts';
import { findInScope } from './subscribers.repo.ts';
import { documentKinds, mapDocument } from './subscribers.schemas.ts';
import { audit } from './subscribers.service.ts';

type Deps = Pick<AppContext, 'db' | 'clock' | 'config'>;

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/** A file part of a multipart upload, as the upload plugin hands it over. */
export interface UploadedFile {
  filename: string;
  mimetype: string;
  data: Buffer;
}

export const uploadedFile = z
  .any()
  .refine((v): v is UploadedFile => typeof v === 'object' && v !== null && Buffer.isBuffer((v as UploadedFile).data), { message: 'is not a file' })
  .meta({ type: 'string', format: 'binary' });

export const uploadDocumentSchema = z
  .object({ file: uploadedFile.describe('PDF, JPEG or PNG, at most 10 MB'), kind: z.enum(documentKinds) })
  .meta({ id: 'UploadSubscriberDocument' });

/** What the bytes are, read from their first bytes: the browser's stated type is not trusted. */
function sniff(data: Buffer): 'application/pdf' | 'image/jpeg' | 'image/png' | null {
  if (data.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return null;
}

const safeName = (name: string) => name.replace(/[\\/\r\n"]/g, '_').slice(-200) || 'document';

export async function listDocuments(deps: Deps, actor: Actor, subscriberId: string) {
  requirePermission(actor, 'subscribers.read');
  if (!(await findInScope(deps.db, actor.principal.scope, subscriberId))) throw new NotFoundError('Subscriber');
  return (await repo.documentsOf(deps.db, subscriberId)).map(mapDocument);
}

/** Stores the file first, then records it; when recording fails the file is removed again. */
export async function uploadDocument(deps: Deps, actor: Actor, subscriberId: string, input: { file: UploadedFile; kind: (typeof documentKinds)[number] }) {
  requirePermission(actor, 'subscribers.update');
  if (!(await findInScope(deps.db, actor.principal.scope, subscriberId))) throw new NotFoundError('Subscriber');
  const mime = sniff(input.file.data);
  if (!mime) throw new BadRequestError('Upload a PDF, JPEG or PNG file', [{ field: 'file', message: 'is not a PDF, JPEG or PNG file' }]);
  if (input.file.data.length > MAX_DOCUMENT_BYTES) throw new AppError(413, 'payload-too-large', 'The file is larger than 10 MB', [{ field: 'file', message: 'is larger than 10 MB' }]);
  const store = fileStoreFor(deps.config);
  const id = randomUUID();
  const key = `subscribers/${subscriberId}/${id}`;
  const stored = await store.put(key, input.file.data);
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const s = await findInScope(trx, actor.principal.scope, subscriberId);
      if (!s) throw new NotFoundError('Subscriber');
      const doc = await repo.insertDocument(trx, {
        id,
        subscriber_id: subscriberId,
        kind: input.kind,
        file_key: key,
        filename: safeName(input.file.filename),
        mime_type: mime,
        size_bytes: BigInt(stored.size),
        sha256: stored.sha256,
        uploaded_by: actor.principal.userId,
        uploaded_at: deps.clock.now(),
      });
      await audit(trx, deps, actor, 'subscriber.document_upload', s, undefined, mapDocument(doc));
      return mapDocument(doc);
    });
  } catch (err) {
    await store.delete(key);
    throw err;
  }
}

export async function downloadDocument(deps: Deps, actor: Actor, subscriberId: string, documentId: string) {
  requirePermission(actor, 'subscribers.read');
  const doc = await repo.findDocumentInScope(deps.db, actor.principal.scope, subscriberId, documentId);
  if (!doc) throw new NotFoundError('Document');
  return { document: mapDocument(doc), data: await fileStoreFor(deps.config).get(doc.file_key) };
}

/** Removes a document filed by mistake; the file goes once the record is gone. */
export async function deleteDocument(deps: Deps, actor: Actor, subscriberId: string, documentId: string): Promise<void> {
  requirePermission(actor, 'subscribers.delete');
  const doc = await deps.db.transaction().execute(async (trx) => {
    const d = await repo.findDocumentInScope(trx, actor.principal.scope, subscriberId, documentId);
    if (!d) throw new NotFoundError('Document');
    const s = (await findInScope(trx, actor.principal.scope, subscriberId))!;
    await repo.deleteDocument(trx, d.id);
    await audit(trx, deps, actor, 'subscriber.document_delete', s, mapDocument(d));
    return d;
  });
  await fileStoreFor(deps.config).delete(doc.file_key);
}
