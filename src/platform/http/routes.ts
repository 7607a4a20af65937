import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../auth/principal.ts';
import { UnauthorizedError } from '../errors.ts';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

/** The error answers every authenticated endpoint can give, for the OpenAPI document. */
export const errors = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
  422: problemSchema,
  429: problemSchema,
};

/** `/:id` path parameters of every resource. */
export const idParams = z.object({ id: z.uuid() });

export const noContent = z.null().describe('No content');

export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw new UnauthorizedError();
  return req.actor;
}

export function sendCsv(reply: FastifyReply, filename: string, csv: string): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .send(csv);
}

/** A CSV download, documented as text/csv (a bare schema would be documented as application/json). */
export const csvResponse = { description: 'CSV file', content: { 'text/csv': { schema: z.string() } } };

/** The address the caller reached us by (behind a proxy: X-Forwarded-Proto/Host, trusted by the app). */
export function requestOrigin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}
