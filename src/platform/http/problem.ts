import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, TooManyRequestsError, type FieldError } from '../errors.ts';
import { isConnectionError } from '../db/errors.ts';

/** RFC 9457 problem details; the one error shape of the API. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  errors?: FieldError[];
}

const titles: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

export function problem(req: FastifyRequest, status: number, code: string, detail: string, errors?: FieldError[]): Problem {
  return {
    type: `https://uplink.dev/problems/${code}`,
    title: titles[status] ?? 'Error',
    status,
    detail,
    instance: req.url.split('?')[0] ?? req.url,
    requestId: String(req.id),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(JSON.stringify(p));
}

function fieldPath(prefix: string, instancePath: string | undefined, params: unknown): string {
  const parts = (instancePath ?? '').split('/').filter(Boolean);
  const missing = (params as { missingProperty?: string } | undefined)?.missingProperty;
  if (missing) parts.push(missing);
  return parts.length ? parts.join('.') : prefix;
}

export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof AppError) {
    if (err instanceof TooManyRequestsError && err.retryAfterSeconds) reply.header('retry-after', String(err.retryAfterSeconds));
    return sendProblem(reply, problem(req, err.status, err.code, err.message, err.fields));
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body';
    const fields = err.validation.map((v) => ({
      field: fieldPath(where, v.instancePath, v.params),
      message: v.message ?? 'is invalid',
    }));
    return sendProblem(reply, problem(req, 400, 'validation', `The ${where} has ${fields.length} invalid field(s)`, fields));
  }
  if (isResponseSerializationError(err)) {
    req.log.error({ err, issues: err.cause.issues }, 'response did not match its schema');
    return sendProblem(reply, problem(req, 500, 'internal', 'Internal server error'));
  }
  if (isConnectionError(err)) {
    req.log.warn({ err: err.message }, 'database unavailable');
    reply.header('retry-after', '5');
    return sendProblem(reply, problem(req, 503, 'unavailable', 'The database is unavailable; try again shortly'));
  }
  const pgCode = (err as { code?: string }).code;
  if (pgCode === '23505') return sendProblem(reply, problem(req, 409, 'conflict', 'A record with these values already exists'));
  if (pgCode === '23503') return sendProblem(reply, problem(req, 409, 'conflict', 'The record is still referenced by other records'));
  if (pgCode === '23514' || pgCode === '22P02' || pgCode === '22001')
    return sendProblem(reply, problem(req, 400, 'bad-request', 'A value is out of range or malformed'));
  if (err.statusCode === 429) {
    return sendProblem(reply, problem(req, 429, 'too-many-requests', 'Too many requests; slow down and try again later'));
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return sendProblem(reply, problem(req, err.statusCode, 'bad-request', err.message));
  }
  req.log.error({ err }, 'unhandled error');
  return sendProblem(reply, problem(req, 500, 'internal', 'Internal server error'));
}
