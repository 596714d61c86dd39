/**
 * Reading SDK failures. Service errors carry `$metadata.httpStatusCode`; network failures are
 * Node errors with a `code` (ECONNREFUSED, ENOTFOUND), sometimes wrapped in an AggregateError
 * (one per address tried). None of these messages contain credentials, so they can be shown.
 */
interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  errors?: unknown[];
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
}

function shape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

/** The HTTP status of an S3 answer, or undefined when no answer came (network, timeout). */
export function httpStatus(error: unknown): number | undefined {
  return shape(error).$metadata?.httpStatusCode;
}

export function isNotFound(error: unknown): boolean {
  const { name } = shape(error);
  return httpStatus(error) === 404 || name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchBucket';
}

/** A short reason for an error without an HTTP answer: the network code or the message. */
export function networkReason(error: unknown): string {
  const e = shape(error);
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'no answer in time';
  if (e.code !== undefined) return e.message ? `${e.code}: ${e.message}` : e.code;
  const inner = [...(e.errors ?? []), e.cause].filter((x) => x !== undefined);
  for (const nested of inner) {
    const reason = networkReason(nested);
    if (reason !== 'unknown error') return reason;
  }
  if (e.message) return e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
  return e.name ?? 'unknown error';
}
