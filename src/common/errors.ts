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
