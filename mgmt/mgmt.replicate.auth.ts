import { UsageError } from './mgmt.io.ts';

/**
 * How a replication job authenticates at its origin, from the environment of `replicate start`:
 * never from its command line, where other users' `ps` would show the secrets. One way at most;
 * a way given in part, or two ways at once, is a usage error rather than a guess.
 */

export type OriginAuth =
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | {
      type: 'client_credentials';
      token_url: string;
      client_id: string;
      client_secret: string;
      scope?: string;
    };

type Way = OriginAuth['type'];

/** Each way's variables, all required but for TAMS_ORIGIN_SCOPE. */
const WAYS: Readonly<Record<Way, { required: readonly string[]; optional: readonly string[] }>> = {
  bearer: { required: ['TAMS_ORIGIN_TOKEN'], optional: [] },
  basic: { required: ['TAMS_ORIGIN_USERNAME', 'TAMS_ORIGIN_PASSWORD'], optional: [] },
  client_credentials: {
    required: ['TAMS_ORIGIN_TOKEN_URL', 'TAMS_ORIGIN_CLIENT_ID', 'TAMS_ORIGIN_CLIENT_SECRET'],
    optional: ['TAMS_ORIGIN_SCOPE'],
  },
};

/** The origin's credentials the environment gives, or undefined for none. */
export function originAuth(env: Record<string, string | undefined>): OriginAuth | undefined {
  // An empty variable counts as unset, as an empty TAMS_TOKEN does.
  const get = (name: string) => (env[name] === '' ? undefined : env[name]);
  const given = (Object.keys(WAYS) as Way[])
    .map((way) => ({
      way,
      set: [...WAYS[way].required, ...WAYS[way].optional].filter((n) => get(n) !== undefined),
    }))
    .filter((g) => g.set.length > 0);
  const [first, second] = given;
  if (first === undefined) return undefined;
  if (second !== undefined)
    throw new UsageError(
      `replicate start: ${given.map((g) => `${g.set.join(', ')} (${g.way})`).join(' and ')} ` +
        'name different ways to authenticate at the origin: set the variables of one',
    );
  const missing = WAYS[first.way].required.filter((n) => get(n) === undefined);
  if (missing.length > 0) {
    const needs = `${missing.slice(0, -1).join(', ')}${missing.length > 1 ? ' and ' : ''}${missing.at(-1)}`;
    throw new UsageError(
      `replicate start: ${first.set.join(', ')} also need${first.set.length === 1 ? 's' : ''} ${needs} (${first.way} authentication at the origin)`,
    );
  }
  const value = (name: string) => get(name) ?? '';
  if (first.way === 'bearer') return { type: 'bearer', token: value('TAMS_ORIGIN_TOKEN') };
  if (first.way === 'basic')
    return {
      type: 'basic',
      username: value('TAMS_ORIGIN_USERNAME'),
      password: value('TAMS_ORIGIN_PASSWORD'),
    };
  const scope = get('TAMS_ORIGIN_SCOPE');
  return {
    type: 'client_credentials',
    token_url: value('TAMS_ORIGIN_TOKEN_URL'),
    client_id: value('TAMS_ORIGIN_CLIENT_ID'),
    client_secret: value('TAMS_ORIGIN_CLIENT_SECRET'),
    ...(scope !== undefined && { scope }),
  };
}
