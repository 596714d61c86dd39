/**
 * The TAMS API versions this server speaks, and where each is mounted (DESIGN.md, "API versions
 * are mounts over one store"): 7.0 at the root, exactly as it always was, and again under
 * `/tams/v7.0`; 8.2 under `/tams/v8.2` (the base path the 8.2 spec's `servers` suggest). The
 * same route code is registered once per mount and told its mount then, so a route knows its
 * version and prefix from its registration options, never from a request's URL.
 */

export type ApiVersion = '7.0' | '8.2';

export interface ApiMount {
  /** The TAMS version it speaks: the spec's `info.version`, and `api_version` in its /service. */
  readonly version: ApiVersion;
  /** Where its routes are: '' at the root, else a path prefix without a trailing slash. */
  readonly prefix: string;
  /** How Swagger UI's selector names its document. */
  readonly label: string;
}

/** TAMS 7.0 at the root, with the extensions beyond the spec (search, EXR, ...) beside it. */
export const ROOT_MOUNT: ApiMount = {
  version: '7.0',
  prefix: '',
  label: 'TAMS 7.0 at / (with the tams-server extensions)',
};

export const V7_MOUNT: ApiMount = {
  version: '7.0',
  prefix: '/tams/v7.0',
  label: 'TAMS 7.0 at /tams/v7.0',
};

export const V8_MOUNT: ApiMount = {
  version: '8.2',
  prefix: '/tams/v8.2',
  label: 'TAMS 8.2 at /tams/v8.2',
};

/** The mounts under a version's own base path: each has an OpenAPI document of its own. */
export const VERSION_MOUNTS: readonly ApiMount[] = [V7_MOUNT, V8_MOUNT];

/** The versioned mount a route's URL is in (the bare prefix included); undefined at the root. */
export function mountOf(url: string): ApiMount | undefined {
  return VERSION_MOUNTS.find((m) => url === m.prefix || url.startsWith(`${m.prefix}/`));
}

/**
 * A route's URL as its mount sees it (`/tams/v7.0/flows/:flowId` is `/flows/:flowId`, the bare
 * prefix `/`): what rules keyed by path (authorisation, the OpenAPI documents) look at. Called
 * when routes are registered, not per request.
 */
export function pathInMount(url: string): string {
  const mount = mountOf(url);
  if (!mount) return url;
  return url.slice(mount.prefix.length) || '/';
}
