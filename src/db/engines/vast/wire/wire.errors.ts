/**
 * A body that does not decode: truncated, malformed, or not what the protocol allows. The fake
 * server answers it with a 400; the engine treats it as a broken response.
 */
export class WireFormatError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(`VAST wire: ${message}`, options);
    this.name = 'WireFormatError';
  }
}
