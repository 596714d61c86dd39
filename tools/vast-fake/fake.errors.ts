/**
 * The fake VAST server's refusals: S3-style XML error documents, as VAST's clients parse them
 * (PROTOCOL.md §1.9; transport.errors.ts `vastHttpError`).
 */
import { randomBytes } from 'node:crypto';

/** A refusal: the handler throws it, the router answers it. */
export class FakeVastError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'FakeVastError';
  }
}

export const badRequest = (message: string, code = 'BadRequest') => new FakeVastError(400, code, message);
export const notFound = (code: string, message: string) => new FakeVastError(404, code, message);
export const conflict = (code: string, message: string) => new FakeVastError(409, code, message);

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

/** `<Error><Code/><Message/><Resource/><RequestId/></Error>`. */
export function errorXml(code: string, message: string, resource: string, requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>` +
    `<Resource>${escapeXml(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`
  );
}
