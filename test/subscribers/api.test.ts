import { describe, expect, it } from 'vitest';
import { createTestContext, json, seedTree, seedUser, sessionFor } from '../support/app.ts';
import { engine } from '../support/db.ts';

interface Subscriber {
  id: string;
  accountNumber: string;
  name: string;
  status: string;
  phone: string | null;
  organizationId: string;
  contacts: { id: string; kind: string; value: string; primary: boolean }[];
  addresses: { id: string; line1: string; latitude: string | null; installation: boolean }[];
}

describe(`subscribers API (${engine})`, async () => {
  const t = await createTestContext();
  const tree = await seedTree(t.ctx);
  const staffUser = await seedUser(t.ctx, tree.isp, 'staff');
  const staff = await sessionFor(t, staffUser);
  const admin = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'admin'));
  const support = await sessionFor(t, await seedUser(t.ctx, tree.isp, 'support'));
  const resellerB = await sessionFor(t, await seedUser(t.ctx, tree.resellerB, 'reseller'));

  const create = async (body: Record<string, unknown>, api = staff) => {
    const res = await api.post('/api/subscribers', body);
    expect(res.statusCode, res.body).toBe(201);
    return json<Subscriber>(res);
  };
  const search = async (q: string, api = staff) => json<{ items: Subscriber[] }>(await api.get(`/api/subscribers?q=${encodeURIComponent(q)}&limit=200`)).items;

  it('numbers accounts in the organization’s format and normalises contacts', async () => {
    const numbering = await admin.patch('/api/subscribers/numbering', { organizationId: tree.isp.id, format: 'KIL-{seq:6}' });
    expect(numbering.statusCode, numbering.body).toBe(200);
    expect(json(numbering).example).toBe('KIL-000001');
    const s = await create({
      name: 'Wanjiru Kamau',
      nationalId: '28374651',
      tags: ['Fibre', 'vip'],
      customFields: { routerSerial: 'HG8245-0042' },
      contacts: [
        { kind: 'phone', value: '0712 345 678' },
        { kind: 'email', value: 'Wanjiru@Example.COM' },
        { kind: 'whatsapp', value: '254712345678' },
      ],
      addresses: [{ line1: 'Kilimani Rd 12', city: 'Nairobi', country: 'ke', latitude: '-1.2921', longitude: 36.8219, installation: true }],
    });
    expect(s).toMatchObject({ accountNumber: 'KIL-000001', status: 'lead', phone: '+254712345678', email: 'wanjiru@example.com', tags: ['fibre', 'vip'] });
    expect(s.contacts.map((c) => [c.kind, c.value, c.primary])).toEqual([
      ['email', 'wanjiru@example.com', true],
      ['phone', '+254712345678', true],
      ['whatsapp', '+254712345678', true],
    ]);
    expect(s.addresses[0]).toMatchObject({ line1: 'Kilimani Rd 12', latitude: '-1.292100', installation: true });
    expect((await create({ name: 'Otieno Odhiambo' })).accountNumber).toBe('KIL-000002');
  });

  it('refuses a phone it cannot read, naming the field', async () => {
    const res = await staff.post('/api/subscribers', { name: 'Bad phone', contacts: [{ kind: 'email', value: 'a@b.co' }, { kind: 'phone', value: '12345' }] });
    expect(res.statusCode).toBe(400);
    expect(json(res).errors).toEqual([{ field: 'contacts.1.value', message: expect.stringContaining('not a phone number') }]);
    expect((await staff.post('/api/subscribers', { kind: 'company', name: 'No company name' })).statusCode).toBe(400);
  });

  it('finds subscribers by partial name, phone in any format, account number and national id', async () => {
    const s = await create({ name: 'Achieng Nyambura', nationalId: 'A1234567', contacts: [{ kind: 'phone', value: '+254 722 000 111' }] });
    await create({ name: 'Achieng Otieno', contacts: [{ kind: 'phone', value: '0733000222' }] });
    const ids = async (q: string) => (await search(q)).map((x) => x.id);
    expect(await ids('nyamb')).toEqual([s.id]);
    expect(await ids('achieng nyam')).toEqual([s.id]);
    for (const phone of ['0722000111', '0722 000 111', '+254722000111', '254722000111', '722000111', '(072) 2000-111']) expect(await ids(phone), phone).toEqual([s.id]);
    expect(await ids(s.accountNumber.toLowerCase())).toEqual([s.id]);
    expect(await ids(s.accountNumber)).toEqual([s.id]);
    expect(await ids('a1234567')).toEqual([s.id]);
    // Part of an account number searches like any text; the whole number answers its account alone.
    expect((await search(s.accountNumber.slice(0, -1))).map((x) => x.id)).toContain(s.id);
    expect((await search(s.accountNumber.slice(0, -1))).length).toBeGreaterThan(1);
    expect((await search('achieng')).length).toBe(2);
    expect(await ids('0799999999')).toEqual([]);
  });

  it('filters by status, tag, organization and staff, and pages with a cursor', async () => {
    const own = await create({ name: 'Tagged One', tags: ['tower-7'], assignedUserId: staffUser.id });
    await create({ name: 'Tagged Two', tags: ['tower-7'], status: 'active' });
    const atReseller = await create({ organizationId: tree.resellerA.id, name: 'Reseller Customer' });
    const items = async (query: string) => json<{ items: Subscriber[] }>(await staff.get(`/api/subscribers?${query}`)).items.map((s) => s.name);
    expect(await items('tag=tower-7')).toEqual(['Tagged One', 'Tagged Two']);
    expect(await items('tag=tower-7&status=active')).toEqual(['Tagged Two']);
    expect(await items(`assignedUserId=${staffUser.id}`)).toEqual(['Tagged One']);
    expect(await items(`organizationId=${tree.resellerA.id}`)).toEqual(['Reseller Customer']);
    expect(atReseller.accountNumber).toBe('000001');
    const first = json(await staff.get('/api/subscribers?limit=2&sort=account_number'));
    const second = json(await staff.get(`/api/subscribers?limit=2&sort=account_number&cursor=${first.nextCursor}`));
    expect(first.items.length).toBe(2);
    expect(second.items[0].accountNumber > first.items[1].accountNumber).toBe(true);
    expect(own.id).toBeTruthy();
  });

  it('edits contacts and addresses as a set, keeping the ones named by id', async () => {
    const s = await create({ name: 'Edit Me', contacts: [{ kind: 'phone', value: '0711111111' }, { kind: 'phone', value: '0711111112' }] });
    const keep = s.contacts.find((c) => c.value === '+254711111112')!;
    const res = await support.patch(`/api/subscribers/${s.id}`, {
      name: 'Edited',
      contacts: [{ id: keep.id, kind: 'phone', value: '0711111112', primary: true }, { kind: 'email', value: 'edited@example.com' }],
    });
    expect(res.statusCode, res.body).toBe(200);
    const edited = json<Subscriber>(res);
    expect(edited.contacts.map((c) => [c.value, c.primary])).toEqual([['edited@example.com', true], ['+254711111112', true]]);
    expect(edited.contacts.find((c) => c.kind === 'phone')!.id).toBe(keep.id);
    expect(await search('0711111111')).toEqual([]);
    expect((await search('edited@example')).map((x) => x.id)).toEqual([s.id]);
  });

  it('changes status with a reason and keeps the history', async () => {
    const s = await create({ name: 'Status Person' });
    expect((await staff.post(`/api/subscribers/${s.id}/status`, { status: 'suspended', reason: 'unpaid' })).statusCode).toBe(409);
    expect(json(await staff.post(`/api/subscribers/${s.id}/status`, { status: 'active' })).status).toBe('active');
    const noReason = await staff.post(`/api/subscribers/${s.id}/status`, { status: 'suspended' });
    expect(noReason.statusCode).toBe(400);
    expect(json(noReason).errors[0].field).toBe('reason');
    expect(json(await staff.post(`/api/subscribers/${s.id}/status`, { status: 'suspended', reason: 'Unpaid March invoice' })).status).toBe('suspended');
    expect(json(await staff.post(`/api/subscribers/${s.id}/status`, { status: 'archived', reason: 'Moved away' })).status).toBe('archived');
    const history = json<{ from: string | null; to: string; reason: string; by: { id: string } | null }[]>(await staff.get(`/api/subscribers/${s.id}/history`));
    expect(history.map((h) => [h.from, h.to, h.reason])).toEqual([
      ['suspended', 'archived', 'Moved away'],
      ['active', 'suspended', 'Unpaid March invoice'],
      ['lead', 'active', ''],
      [null, 'lead', ''],
    ]);
    expect(history[0]!.by!.id).toBe(staffUser.id);
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('object_id', '=', s.id).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['subscriber.create', 'subscriber.status', 'subscriber.status', 'subscriber.status']);
  });

  it('keeps notes with their author', async () => {
    const s = await create({ name: 'Noted' });
    expect((await staff.post(`/api/subscribers/${s.id}/notes`, { body: 'Router replaced' })).statusCode).toBe(201);
    const notes = json(await staff.get(`/api/subscribers/${s.id}/notes`));
    expect(notes).toEqual([{ id: expect.any(String), body: 'Router replaced', author: { id: staffUser.id, name: staffUser.name }, createdAt: expect.any(String) }]);
  });

  it('deletes only leads and archived subscribers', async () => {
    const active = await create({ name: 'Active One', status: 'active' });
    const res = await admin.delete(`/api/subscribers/${active.id}`);
    expect(res.statusCode).toBe(409);
    expect(json(res).detail).toContain('only leads and archived');
    expect((await staff.delete(`/api/subscribers/${active.id}`)).statusCode).toBe(403);
    const lead = await create({ name: 'Lead One' });
    expect((await admin.delete(`/api/subscribers/${lead.id}`)).statusCode).toBe(204);
    expect((await staff.get(`/api/subscribers/${lead.id}`)).statusCode).toBe(404);
  });

  it('answers 404 for another tenant’s subscriber and hides it from search', async () => {
    const s = await create({ name: 'Hidden Tenant', contacts: [{ kind: 'phone', value: '0744000444' }] });
    expect((await resellerB.get(`/api/subscribers/${s.id}`)).statusCode).toBe(404);
    expect((await resellerB.get(`/api/subscribers/${s.id}/history`)).statusCode).toBe(404);
    expect((await resellerB.post(`/api/subscribers/${s.id}/status`, { status: 'active' })).statusCode).toBe(404);
    expect(await search('0744000444', resellerB)).toEqual([]);
  });

  it('exports CSV with the filters', async () => {
    const res = await staff.get('/api/subscribers/export?tag=tower-7');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body.trim().split('\r\n');
    expect(lines[0]).toBe('accountNumber,kind,name,companyName,nationalId,status,phone,email,tags,organizationId,assignedUserId,suspendOn,createdAt,id');
    expect(lines.length).toBe(3);
  });
});
