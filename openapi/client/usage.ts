/**
 * A tiny typed client over fetch, typed by the generated `paths` alone, and a few calls through
 * it: `npm run openapi:client` compiles this file, so the document's types are usable as a
 * client generator's output. The `@ts-expect-error` lines must stay errors: wrong parameter
 * types and paths the document lacks are refused.
 */
import type { paths } from './tams-server.d.ts';

type Method = 'get' | 'put' | 'post' | 'delete';
type PathsWith<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends never | undefined ? never : P;
}[keyof paths];
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

type Parameters<O> = O extends { parameters: infer Params } ? Params : never;
type PathParams<O> = Parameters<O> extends { path: infer P } ? P : never;
type QueryParams<O> = Parameters<O> extends { query?: infer Q } ? Q : never;
type Body<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type Json<R> = R extends { content: { 'application/json': infer T } } ? T : undefined;
/** The body of the operation's first 2xx response documented as JSON. */
type Success<O> = O extends { responses: infer R }
  ? 200 extends keyof R
    ? Json<R[200]>
    : 201 extends keyof R
      ? Json<R[201]>
      : undefined
  : never;

interface Options<O> {
  path?: PathParams<O>;
  query?: QueryParams<O>;
  body?: Body<O>;
}

export class TamsClient {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  async call<M extends Method, P extends PathsWith<M>>(
    method: M,
    path: P,
    options: Options<Operation<P, M>> = {},
  ): Promise<Success<Operation<P, M>>> {
    const filled = String(path).replace(/\{([^}]+)\}/g, (_match, name: string) => {
      const values = (options.path ?? {}) as Record<string, string>;
      return encodeURIComponent(values[name] ?? '');
    });
    const url = new URL(filled, this.base);
    for (const [name, value] of Object.entries((options.query ?? {}) as Record<string, unknown>)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const res = await fetch(url, {
      method: method.toUpperCase(),
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    if (!res.ok) {
      // Every error answer is the TAMS error body.
      const error = (await res.json()) as { summary?: string };
      throw new Error(`${method.toUpperCase()} ${filled}: ${res.status} ${error.summary ?? ''}`);
    }
    const text = await res.text();
    return (text === '' ? undefined : JSON.parse(text)) as Success<Operation<P, M>>;
  }
}

export async function examples(client: TamsClient): Promise<string[]> {
  const flows = await client.call('get', '/flows', {
    query: { format: 'urn:x-nmos:format:video', frame_width: 1920, limit: 10 },
  });
  const flowId = flows[0]?.id ?? '00000000-0000-4000-8000-000000000000';
  const segments = await client.call('get', '/flows/{flowId}/segments', {
    path: { flowId },
    query: { timerange: '[0:0_10:0)', verbose_storage: true },
  });
  const urls: string[] = segments.flatMap((s) => (s.get_urls ?? []).map((u) => u.url));
  const storage = await client.call('post', '/flows/{flowId}/storage', {
    path: { flowId },
    body: { limit: 2 },
  });
  urls.push(...(storage.media_objects ?? []).map((o) => o.object_id));
  // An extension (media search): the same types.
  const hits = await client.call('get', '/search', { query: { q: 'goal', mode: 'keyword' } });
  urls.push(...hits.hits.map((h) => `${h.flow_id ?? h.source_id ?? ''} ${h.timerange ?? '_'}`));

  // @ts-expect-error frame_width is an integer
  await client.call('get', '/flows', { query: { frame_width: 'wide' } });
  // @ts-expect-error no such path in the document
  await client.call('get', '/nowhere');
  // @ts-expect-error the format is one of the content formats
  await client.call('get', '/flows', { query: { format: 'urn:x-nmos:format:smell' } });
  return urls;
}
