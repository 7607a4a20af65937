import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';
import { postMultipart } from './support.ts';

const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(crypto.getRandomValues(new Uint8Array(2048))), Buffer.from('\n%%EOF\n')]);
const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

describe(`KYC documents (${engine})`, async () => {
  const dataDir = fs.mkdtempSync(path.join('/tmp', 'uplink-files-'));
  const t = await createTestContext({ config: { dataDir } });
  const tree = await seedTree(t.ctx);
  const staffUser = await seedUser(t.ctx, tree.resellerA, 'staff');
  const staff = await sessionFor(t, staffUser);
  const outsiderUser = await seedUser(t.ctx, tree.resellerB, 'admin');
  const outsider = await sessionFor(t, outsiderUser);
  const subscriber = json(await staff.post('/api/subscribers', { name: 'Kyc Person' }));
  const upload = (user = staffUser, id = subscriber.id, data = pdf, kind = 'national_id', filename = 'Kitambulisho ya Wanjiru.pdf') =>
    postMultipart(t, user, `/api/subscribers/${id}/documents`, { kind }, { name: 'file', filename, contentType: 'application/pdf', data });

  it('uploads a document into the file store, recording its hash, and downloads the same bytes', async () => {
    const res = await upload();
    expect(res.statusCode, res.body).toBe(201);
    const doc = json(res);
    expect(doc).toMatchObject({ kind: 'national_id', filename: 'Kitambulisho ya Wanjiru.pdf', mimeType: 'application/pdf', sizeBytes: pdf.length, uploadedBy: staffUser.id });
    expect(doc.sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
    const row = await t.ctx.db.selectFrom('subscriber_documents').selectAll().where('id', '=', doc.id).executeTakeFirstOrThrow();
    expect(fs.readFileSync(path.join(dataDir, 'files', row.file_key)).equals(pdf)).toBe(true);

    const down = await staff.get(`/api/subscribers/${subscriber.id}/documents/${doc.id}`);
    expect(down.statusCode).toBe(200);
    expect(down.headers['content-type']).toBe('application/pdf');
    expect(down.headers['content-disposition']).toContain("filename*=UTF-8''Kitambulisho%20ya%20Wanjiru.pdf");
    expect(down.rawPayload.equals(pdf)).toBe(true);
    expect(json(await staff.get(`/api/subscribers/${subscriber.id}/documents`)).map((d: { id: string }) => d.id)).toEqual([doc.id]);
  });

  it('answers 404 for another tenant’s document, and for a document asked for under another subscriber', async () => {
    const doc = json(await upload(staffUser, subscriber.id, png, 'passport', 'passport.png'));
    expect(doc.mimeType).toBe('image/png');
    expect((await outsider.get(`/api/subscribers/${subscriber.id}/documents/${doc.id}`)).statusCode).toBe(404);
    expect((await outsider.get(`/api/subscribers/${subscriber.id}/documents`)).statusCode).toBe(404);
    expect((await upload(outsiderUser)).statusCode).toBe(404);
    const other = json(await staff.post('/api/subscribers', { name: 'Other Person' }));
    expect((await staff.get(`/api/subscribers/${other.id}/documents/${doc.id}`)).statusCode).toBe(404);
    expect((await outsider.delete(`/api/subscribers/${subscriber.id}/documents/${doc.id}`)).statusCode).toBe(404);
  });

  it('accepts only PDF, JPEG and PNG, whatever the browser says the file is', async () => {
    const res = await upload(staffUser, subscriber.id, Buffer.from('MZ this is a program'), 'other', 'id.pdf');
    expect(res.statusCode).toBe(400);
    expect(json(res).errors).toEqual([{ field: 'file', message: 'is not a PDF, JPEG or PNG file' }]);
    const noKind = await postMultipart(t, staffUser, `/api/subscribers/${subscriber.id}/documents`, {}, { name: 'file', filename: 'a.pdf', contentType: 'application/pdf', data: pdf });
    expect(noKind.statusCode).toBe(400);
  });

  it('refuses files over 10 MB', async () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(10 * 1024 * 1024)]);
    const res = await upload(staffUser, subscriber.id, big);
    expect(res.statusCode).toBe(413);
  });

  it('keeps a subscriber with documents from deletion', async () => {
    const admin = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'admin'));
    const res = await admin.delete(`/api/subscribers/${subscriber.id}`);
    expect(res.statusCode).toBe(409);
    expect(json(res).detail).toContain('KYC documents');
  });

  it('removes a document filed by mistake, file and all', async () => {
    const doc = json(await upload());
    const row = await t.ctx.db.selectFrom('subscriber_documents').selectAll().where('id', '=', doc.id).executeTakeFirstOrThrow();
    const admin = await sessionFor(t, await seedUser(t.ctx, tree.resellerA, 'admin'));
    expect((await staff.delete(`/api/subscribers/${subscriber.id}/documents/${doc.id}`)).statusCode).toBe(403);
    expect((await admin.delete(`/api/subscribers/${subscriber.id}/documents/${doc.id}`)).statusCode).toBe(204);
    expect(fs.existsSync(path.join(dataDir, 'files', row.file_key))).toBe(false);
  });
});
