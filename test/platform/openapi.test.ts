import fs from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { generateOpenApi } from '../../src/platform/http/openapi.ts';
import { createTestContext, json } from '../support/app.ts';

const file = path.resolve(import.meta.dirname, '../../docs/openapi.json');
const committed = fs.readFileSync(file, 'utf8');
const doc = JSON.parse(committed) as {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
};

interface Operation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: object }> };
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}

const methods = ['get', 'post', 'put', 'patch', 'delete'];
const operations = Object.entries(doc.paths)
  .filter(([p]) => p.startsWith('/api/'))
  .flatMap(([p, item]) => Object.entries(item).filter(([m]) => methods.includes(m)).map(([m, op]) => ({ id: `${m.toUpperCase()} ${p}`, path: p, method: m, op })));

/** Writes that act on the caller or on the object in the path and take no input. */
const withoutBody: Record<string, string> = {
  'POST /api/auth/logout': 'ends the session that sends it',
  'POST /api/auth/totp/setup': 'creates a new authenticator secret for the caller',
  'POST /api/users/{id}/password-link': 'issues a one-time link for the user in the path',
  'POST /api/users/{id}/unlock': 'clears the lockout of the user in the path',
  'POST /api/invoices/{id}/submit': 'sends the draft in the path for review',
  'POST /api/invoices/{id}/approve': 'approves the invoice in the path',
  'POST /api/invoices/{id}/issue': 'issues the invoice in the path',
  'POST /api/invoices/{id}/pay-from-wallet': "pays the invoice in the path from its subscriber's wallet",
  'POST /api/portal/invoices/{id}/pay-from-wallet': "pays the caller's invoice in the path from the caller's wallet",
  'POST /api/nas/{id}/router/backups': "takes a backup of the router of the NAS in the path",
  'POST /api/sessions/{id}/disconnect': 'queues a Disconnect-Request for the session in the path',
  'POST /api/reconciliation/sources/{id}/auto-match': 'matches the open lines of the statement source in the path',
  'POST /api/reconciliation/lines/{id}/unmatch': 'undoes the match of the statement line in the path',
  'POST /api/reconciliation/lines/{id}/credit': 'credits the lost callback the statement line in the path stands for',
  'POST /api/portal/payments/{id}/complete': "finishes the caller's payment attempt in the path with its gateway",
};

const hasSchema = (content: Record<string, { schema?: object }> | undefined) =>
  content !== undefined && Object.keys(content).length > 0 && Object.values(content).every((c) => c.schema && Object.keys(c.schema).length > 0);

describe('OpenAPI document', () => {
  it('docs/openapi.json is what the routes generate', async () => {
    const generated = await generateOpenApi();
    const message = 'docs/openapi.json is out of date: run `npm run openapi` and commit the result';
    expect(JSON.parse(committed), message).toEqual(JSON.parse(generated));
    expect(committed, message).toBe(generated);
  });

  it('is a valid OpenAPI 3.1 document whose references all resolve', async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    const refs = [...committed.matchAll(/"\$ref": "#\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) {
      const target = ref.split('/').reduce<any>((node, part) => node?.[part.replaceAll('~1', '/').replaceAll('~0', '~')], doc);
      expect(target, `#/${ref}`).toBeDefined();
    }
  });

  it('documents some operations', () => {
    expect(operations.length).toBeGreaterThan(30);
  });

  it.each(operations)('$id has a success response with a schema', ({ op }) => {
    const success = Object.entries(op.responses).filter(([code]) => /^2\d\d$/.test(code));
    expect(success.length).toBeGreaterThan(0);
    for (const [code, response] of success) {
      if (code === '204') expect(response.content, '204 has no body').toBeUndefined();
      else expect(hasSchema(response.content), `${code} response schema`).toBe(true);
    }
  });

  it.each(operations.filter((o) => o.method === 'post' || o.method === 'patch' || o.method === 'put'))('$id has a request body schema (or is listed as taking none)', ({ id, op }) => {
    if (id in withoutBody) expect(op.requestBody, `${id} now takes a body: remove it from withoutBody`).toBeUndefined();
    else expect(hasSchema(op.requestBody?.content)).toBe(true);
  });

  it('lists no write without a body that does not exist', () => {
    for (const id of Object.keys(withoutBody)) expect(operations.map((o) => o.id)).toContain(id);
  });

  it.each(operations.filter((o) => o.path.includes('{')))('$id declares its path parameters', ({ path: p, op }) => {
    const declared = (op.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name).sort();
    expect(declared).toEqual([...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort());
  });

  it('CSV exports are documented as text/csv', () => {
    const exports = operations.filter((o) => o.path.endsWith('/export'));
    expect(exports.length).toBeGreaterThan(0);
    for (const { op } of exports) expect(Object.keys(op.responses['200']!.content ?? {})).toEqual(['text/csv']);
  });

  it('the running app serves the same document at /api/openapi.json and the docs at /api/docs', async () => {
    const t = await createTestContext();
    const served = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(served.statusCode).toBe(200);
    expect(json(served)).toEqual(doc);
    const docs = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
  });
});
