/**
 * Domain errors. Services throw these; the HTTP layer turns them into TAMS error bodies with the
 * status code the spec gives. `summary` says what went wrong in this request; the response's
 * `message` is the spec's own description of that status for the route (see http/errors.ts).
 */
export class TamsError extends Error {
  constructor(
    readonly status: 400 | 403 | 404,
    readonly type: string,
    readonly summary: string,
  ) {
    super(summary);
    this.name = type;
  }
}

export class BadRequestError extends TamsError {
  constructor(summary: string) {
    super(400, 'BadRequest', summary);
  }
}

export class ForbiddenError extends TamsError {
  constructor(summary: string) {
    super(403, 'Forbidden', summary);
  }
}

export class NotFoundError extends TamsError {
  constructor(summary: string) {
    super(404, 'NotFound', summary);
  }
}

/**
 * Marks an error raised because a backend the server depends on (the metadata database) cannot
 * serve for now. The HTTP layer answers it with 503 and `Retry-After` without knowing the backend
 * (http/ may not import db/); db/ errors carry the mark.
 */
export const BACKEND_UNAVAILABLE: unique symbol = Symbol('backend-unavailable');

export interface BackendUnavailable {
  readonly [BACKEND_UNAVAILABLE]: true;
  /** The backend, as operators know it. */
  readonly backend: string;
  /** Shown to API clients: names no host, key or URL. */
  readonly reason: string;
  readonly retryAfterSeconds: number;
  /**
   * 507 Insufficient Storage: the backend lacks space for what it was asked to store (reads go
   * on). Absent: 503.
   */
  readonly status?: 503 | 507;
}

export function isBackendUnavailable(error: unknown): error is Error & BackendUnavailable {
  return error instanceof Error && (error as Partial<BackendUnavailable>)[BACKEND_UNAVAILABLE] === true;
}
