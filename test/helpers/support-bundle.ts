/**
 * What the support bundle's tests share (test/ops/support-bundle.test.ts and the engines'): the
 * archive extracted with the system `tar`, every secret looked for in every file of it and in its
 * decompressed bytes, requests with a bearer token.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type HttpClient, httpClient, type RequestOptions } from './server.ts';

/** The forms a secret takes in text: as written, inside a JSON string, in a URL. */
export function forms(value: string): string[] {
  return [...new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)])];
}

/** Every file of the extracted archive, by its path under the bundle's folder. */
export function extract(archive: string, into: string): Map<string, string> {
  execFileSync('tar', ['xzf', archive, '-C', into]);
  const [folder] = readdirSync(into);
  if (folder === undefined) throw new Error('empty archive');
  const files = new Map<string, string>();
  for (const name of readdirSync(join(into, folder)))
    files.set(name, readFileSync(join(into, folder, name), 'utf8'));
  return files;
}

/** The secrets (of `all`, by name) found anywhere in the archive's files or its decompressed bytes. */
export function leaks(archive: string, files: Map<string, string>, all: Record<string, string>): string[] {
  const raw = gunzipSync(readFileSync(archive)).toString('latin1');
  const found: string[] = [];
  for (const [name, value] of Object.entries(all)) {
    for (const form of forms(value)) {
      for (const [file, text] of files) if (text.includes(form)) found.push(`${name} in ${file}`);
      if (raw.includes(Buffer.from(form, 'utf8').toString('latin1')))
        found.push(`${name} in the archive's bytes`);
    }
  }
  return [...new Set(found)];
}

export function authed(url: string, token: string): HttpClient {
  const client = httpClient(url);
  const h = (o?: RequestOptions): RequestOptions => ({
    ...o,
    headers: { authorization: `Bearer ${token}`, ...o?.headers },
  });
  return {
    request: (m, p, o) => client.request(m, p, h(o)),
    get: (p, o) => client.get(p, h(o)),
    head: (p, o) => client.head(p, h(o)),
    put: (p, b, o) => client.put(p, b, h(o)),
    post: (p, b, o) => client.post(p, b, h(o)),
    delete: (p, o) => client.delete(p, h(o)),
  };
}
