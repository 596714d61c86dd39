/**
 * The field kit's golden files: each kept answer and error body as JSON, with what the engine's
 * parsers read from it, after removing what identifies the cluster or its owner. Names and keys
 * are masked where they occur, in text and inside binary bodies alike, by a string of the same
 * length (so FlatBuffer and Arrow offsets stay valid): the bucket by `b`s, the access key by
 * `k`s, the secret key by `s`s, the endpoints' host names by `h`s; IPv4 addresses and dotted host
 * names of three labels or more in headers and error texts by `h`s as well. The scratch schema
 * names are the kit's own and stay.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VastQueryParam } from '../../src/db/engines/vast/transport/transport.types.ts';
import { type AnswerInput, decodeAnswer, decodeError, toJson } from './vast.decode.ts';
import type { Exchange } from './vast.record.ts';
import { errorLine } from './vast.runner.ts';

export interface Secrets {
  readonly bucket: string;
  readonly accessKey: string;
  readonly secretKey: string;
  /** The endpoints' host names (or addresses). */
  readonly hosts: readonly string[];
}

/** Request bodies above this are left out of the files (inserts of large cells). */
const MAX_REQUEST_BODY = 16 * 1024;
/** Headers that change on every answer and tell nothing about the protocol. */
const VOLATILE = new Set(['date', 'keep-alive']);

/** Each secret with its mask letter; names shorter than 3 characters are too common to mask. */
function masks(secrets: Secrets): [string, string][] {
  const out: [string, string][] = [
    [secrets.secretKey, 's'],
    [secrets.accessKey, 'k'],
    [secrets.bucket, 'b'],
    ...secrets.hosts.map((h): [string, string] => [h, 'h']),
  ];
  return out.filter(([value]) => value.length >= 3).sort((a, b) => b[0].length - a[0].length);
}

export function maskBytes(bytes: Uint8Array, secrets: Secrets): Uint8Array {
  const out = Buffer.from(bytes);
  for (const [value, letter] of masks(secrets)) {
    const needle = Buffer.from(value, 'utf8');
    for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, at + needle.length)) {
      out.fill(letter, at, at + needle.length);
    }
  }
  return out;
}

export function maskText(text: string, secrets: Secrets): string {
  let out = Buffer.from(maskBytes(Buffer.from(text, 'utf8'), secrets)).toString('utf8');
  // Not a version (`Server: vast 5.3.0.0`, "version 5.4.0.0"), which looks the same.
  out = out.replace(/(?<!(?:vast|version) )\b\d{1,3}(?:\.\d{1,3}){3}\b/gi, (ip) => 'h'.repeat(ip.length));
  out = out.replace(/\b[a-z0-9-]+(?:\.[a-z0-9-]+){2,}\.[a-z]{2,}\b/gi, (host) =>
    /^[\d.]+$/.test(host) ? host : 'h'.repeat(host.length),
  );
  return out;
}

/**
 * The keys masked, nothing else: what the admin's own screen shows (the endpoints and the bucket
 * stay readable there, so a typo in them can be seen).
 */
export function maskKeys(text: string, secrets: Secrets): string {
  const keys: Secrets = { bucket: '', accessKey: secrets.accessKey, secretKey: secrets.secretKey, hosts: [] };
  return Buffer.from(maskBytes(Buffer.from(text, 'utf8'), keys)).toString('utf8');
}

function maskHeaders(headers: Readonly<Record<string, string>>, secrets: Secrets): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!VOLATILE.has(k)) out[k] = maskText(v, secrets);
  return out;
}

function maskQuery(query: readonly VastQueryParam[], secrets: Secrets): string[][] {
  return query.map((q) => q.map((part) => maskText(part, secrets)));
}

/** One golden file: the exchange, masked, with the engine's reading of the masked answer. */
export function goldenFile(x: Exchange, secrets: Secrets, label: string): Record<string, unknown> {
  const requestBody =
    x.requestBody.byteLength > MAX_REQUEST_BODY ? undefined : maskBytes(x.requestBody, secrets);
  const body = maskBytes(x.responseBody, secrets);
  const headers = maskHeaders(x.responseHeaders, secrets);
  const path = maskText(x.path, secrets);
  const input: AnswerInput = {
    operation: x.operation,
    method: x.method,
    path,
    requestBody,
    status: x.status,
    headers,
    body,
  };
  let reading: Record<string, unknown>;
  try {
    reading = { decoded: toJson(x.status === 200 ? decodeAnswer(input) : decodeError(input)) };
  } catch (error) {
    reading = { parse_error: errorLine(error) };
  }
  const text = body.byteLength > 0 && x.status !== 200 ? Buffer.from(body).toString('utf8') : undefined;
  return {
    recorded_by: 'tams-mgmt vast check',
    target: label,
    operation: x.operation,
    request: {
      method: x.method,
      path,
      query: maskQuery(x.query, secrets),
      headers: maskHeaders(x.requestHeaders, secrets),
      ...(requestBody === undefined
        ? { body_omitted_bytes: x.requestBody.byteLength }
        : { body_base64: Buffer.from(requestBody).toString('base64') }),
    },
    response: {
      status: x.status,
      headers,
      body_base64: Buffer.from(body).toString('base64'),
      ...(text !== undefined && { body_text: text }),
    },
    ...reading,
  };
}

/** Writes answers/<operation>.json and errors/<status>-<code>.json under `dir`; the files' paths. */
export function writeGolden(
  dir: string,
  answers: Iterable<Exchange>,
  errors: Iterable<[string, Exchange]>,
  secrets: Secrets,
  label: string,
): string[] {
  const written: string[] = [];
  const write = (sub: string, name: string, x: Exchange) => {
    mkdirSync(join(dir, sub), { recursive: true });
    const file = join(dir, sub, `${name}.json`);
    writeFileSync(file, `${JSON.stringify(goldenFile(x, secrets, label), null, 2)}\n`);
    written.push(file);
  };
  for (const x of answers) write('answers', x.operation, x);
  for (const [key, x] of errors) write('errors', key, x);
  return written;
}
