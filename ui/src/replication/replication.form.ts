import type { OriginAuth, ReplicationRequest, Selection } from './replication.types.ts';

export type AuthKind = OriginAuth['type'];
export type SelectKind = 'flow_id' | 'source_id' | 'tags';

/** The Replicate dialog's fields, as typed. */
export interface ReplicationForm {
  url: string;
  auth: AuthKind;
  token: string;
  username: string;
  password: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  select: SelectKind;
  /** The Flow's or the Source's id. */
  id: string;
  /** `name=value`, one a line. */
  tags: string;
  media: 'reference' | 'copy';
  follow: boolean;
  mirrorDeletions: boolean;
  mapIds: boolean;
  label: string;
}

export const EMPTY_FORM: ReplicationForm = {
  url: '',
  auth: 'none',
  token: '',
  username: '',
  password: '',
  tokenUrl: '',
  clientId: '',
  clientSecret: '',
  scope: '',
  select: 'flow_id',
  id: '',
  tags: '',
  media: 'reference',
  follow: true,
  mirrorDeletions: false,
  mapIds: false,
  label: '',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The API's limit on the tags a selection names. */
const MAX_TAGS = 16;

/** `name=value` lines as tags (blank lines skipped; a value may hold `=`), or what is wrong. */
export function parseTags(text: string): Record<string, string> | string {
  const tags: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const at = line.indexOf('=');
    const name = (at < 0 ? line : line.slice(0, at)).trim();
    if (at < 0 || name === '') return `Write each tag as name=value (not "${line.trim()}").`;
    if (Object.hasOwn(tags, name)) return `The tag ${name} is named twice.`;
    tags[name] = line.slice(at + 1).trim();
  }
  const count = Object.keys(tags).length;
  if (count === 0) return 'Give at least one tag, as name=value.';
  if (count > MAX_TAGS) return `Select by ${MAX_TAGS} tags at most.`;
  return tags;
}

function selectionOf(form: ReplicationForm): Selection | string {
  if (form.select === 'tags') {
    const tags = parseTags(form.tags);
    return typeof tags === 'string' ? tags : { tags };
  }
  const id = form.id.trim();
  const what = form.select === 'flow_id' ? 'Flow' : 'Source';
  if (!UUID.test(id)) return `Give the ${what}'s id (a UUID).`;
  return form.select === 'flow_id' ? { flow_id: id } : { source_id: id };
}

/** The credentials the chosen kind needs, or which one is missing. */
function authOf(form: ReplicationForm): OriginAuth | string {
  switch (form.auth) {
    case 'none':
      return { type: 'none' };
    case 'bearer':
      return form.token === '' ? 'Give the token.' : { type: 'bearer', token: form.token };
    case 'basic':
      if (form.username.trim() === '' || form.password === '') return 'Give the user name and password.';
      return { type: 'basic', username: form.username.trim(), password: form.password };
    case 'client_credentials': {
      const tokenUrl = form.tokenUrl.trim();
      if (tokenUrl === '' || form.clientId.trim() === '' || form.clientSecret === '')
        return 'Give the token endpoint, the client id and its secret.';
      return {
        type: 'client_credentials',
        token_url: tokenUrl,
        client_id: form.clientId.trim(),
        client_secret: form.clientSecret,
        ...(form.scope.trim() !== '' && { scope: form.scope.trim() }),
      };
    }
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The form as the API's body, or what is wrong with it. Only the shape is checked here: whether
 * the origin may be fetched is the server's to say (its allow-list), and the dialog shows why not.
 */
export function requestOf(form: ReplicationForm): ReplicationRequest | string {
  const url = form.url.trim();
  if (url === '') return "Give the origin's URL.";
  if (!isHttpUrl(url)) return 'The origin is an http:// or https:// URL.';
  const auth = authOf(form);
  if (typeof auth === 'string') return auth;
  const select = selectionOf(form);
  if (typeof select === 'string') return select;
  const label = form.label.trim();
  return {
    origin: { url, ...(auth.type !== 'none' && { auth }) },
    select,
    media: form.media,
    follow: form.follow,
    mirror_deletions: form.mirrorDeletions,
    ids: form.mapIds ? 'map' : 'keep',
    ...(label !== '' && { label }),
  };
}

/** A selection as one line of the jobs table. */
export function selectionText(select: Selection): string {
  if ('flow_id' in select) return `Flow ${select.flow_id}`;
  if ('source_id' in select) return `Source ${select.source_id}`;
  return `Flows tagged ${Object.entries(select.tags)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ')}`;
}
