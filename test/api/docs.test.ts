import { describe, expect, it } from 'vitest';
import { apiAs, createTestContext } from '../support/app.ts';

describe('API documentation', async () => {
  const t = await createTestContext();
  it('serves the OpenAPI document and the interactive docs without signing in', async () => {
    const anon = apiAs(t.app, null);
    const doc = await anon.get('/api/openapi.json');
    expect(doc.statusCode).toBe(200);
    expect(JSON.parse(doc.body).openapi).toBe('3.1.0');
    const ui = await anon.get('/api/docs/');
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toMatch(/swagger/i);
  });
});
