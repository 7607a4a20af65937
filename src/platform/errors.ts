/**
 * Typed application errors. Services throw these; the HTTP layer turns each into one RFC 9457
 * problem document, the CLI into one line.
 */
export interface FieldError {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldError[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, fields?: FieldError[]) {
    super(400, 'bad-request', message, fields);
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = 'Sign in to continue') {
    super(401, 'unauthorized', message);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'You do not have permission to do this') {
    super(403, 'forbidden', message);
  }
}
export class NotFoundError extends AppError {
  constructor(what = 'Resource') {
    super(404, 'not-found', `${what} not found`);
  }
}
export class ConflictError extends AppError {
  constructor(message: string, fields?: FieldError[]) {
    super(409, 'conflict', message, fields);
  }
}
export class UnprocessableError extends AppError {
  constructor(message: string, fields?: FieldError[]) {
    super(422, 'unprocessable', message, fields);
  }
}
export class TooManyRequestsError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(429, 'too-many-requests', message);
  }
}
export class UnavailableError extends AppError {
  constructor(message = 'The service is temporarily unavailable; try again shortly') {
    super(503, 'unavailable', message);
  }
}
