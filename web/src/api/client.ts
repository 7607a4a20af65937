import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.d.ts';

export type Schemas = components['schemas'];
export type Me = Schemas['Me'];
export type Organization = Schemas['Organization'];
export type User = Schemas['User'];

export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem answered by the API, with its field-level messages. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  fieldMessage(field: string): string | undefined {
    return this.fields.find((f) => f.field === field)?.message;
  }
}

let csrfToken: string | null = null;

/** The session's CSRF token, sent on every cookie-authenticated write. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

const unsafeMethods = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

const csrf: Middleware = {
  onRequest({ request }) {
    if (csrfToken && unsafeMethods.has(request.method)) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(csrf);

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

function toApiError(error: unknown, response: Response): ApiError {
  const body = (error ?? {}) as { detail?: string; title?: string; errors?: FieldError[] };
  return new ApiError(response.status, body.detail ?? body.title ?? response.statusText, body.errors ?? []);
}

/** Returns the data of a successful answer or throws its problem as an ApiError. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw toApiError(error, response);
  return data as T;
}

/** A random UUID v4 that also works outside secure contexts (plain http on a LAN address). */
export function newIdempotencyKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Downloads a CSV export (the session cookie authenticates the GET). */
export async function downloadCsv(path: string, query: Record<string, string | undefined>, fileName: string): Promise<void> {
  const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => !!e[1]));
  const response = await fetch(`${path}?${params}`, { credentials: 'same-origin' });
  if (!response.ok) throw toApiError(await response.json().catch(() => null), response);
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  URL.revokeObjectURL(url);
}
