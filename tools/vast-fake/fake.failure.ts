/**
 * The QueryData failure frame, laid out as both of VAST's clients read it: vastdb 2.1.0
 * (`_iter_query_data_response_columns`) and the Java client (`BaseQueryDataResponseParser`) read,
 * after the stream id 0xFFFFFFFD, a u64 error code and a u32 length, and refuse any length but 0
 * (the server closes the connection after it). 16 bytes in all, little-endian:
 *
 *   FD FF FF FF | code: 8 bytes | 00 00 00 00
 *
 * vastdb up to 2.0.14 read the marker and then everything up to the end of the body, ignoring it.
 * What the code means is VAST's own: neither client interprets it, both put it in their message.
 */
import { FAILED_STREAM_ID } from '../../src/db/engines/vast/wire/wire.frames.ts';

/** The code the fake sends unless a test sets another (`faults.queryFailureCode`). */
export const DEFAULT_FAILURE_CODE = 5n;

export function failureFrame(code: bigint): Uint8Array {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setUint32(0, FAILED_STREAM_ID, true);
  view.setBigUint64(4, BigInt.asUintN(64, code), true);
  view.setUint32(12, 0, true);
  return out;
}
