import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BadRequestError } from '../common/errors.ts';
import { type UrlGuard, UrlRefused } from '../common/url.guard.ts';
import type { SourceKind } from './store/recorder.jobs.repo.ts';

/** The URL schemes of recording sources, and the kind each one is. */
const KINDS: Readonly<Record<string, SourceKind>> = {
  'http:': 'hls',
  'https:': 'hls',
  'udp:': 'udp',
  'srt:': 'srt',
  'rtmp:': 'rtmp',
  'file:': 'file',
};

/** The network schemes, for the guard of recording sources (TAMS_RECORDER_ALLOW). */
export const NETWORK_SCHEMES = Object.keys(KINDS).filter((s) => s !== 'file:');

/** Query parameters of source URLs that are secrets (SRT's passphrase), hidden when a job is shown. */
const SECRET_PARAMS = ['passphrase', 'password', 'key', 'token'];

export interface CheckedSource {
  kind: SourceKind;
  /** File sources: the file's real path, inside the file directory. */
  path?: string;
}

/**
 * Whether a client may record from `url`, and its kind: a network source's host must pass the
 * guard (public unicast, or admitted by TAMS_RECORDER_ALLOW: checked again on the addresses
 * connected to when it runs), a file must be a regular file inside `fileDir` (links resolved:
 * a link out of it is refused), which must be set. Throws BadRequestError saying why not.
 */
export async function checkSource(url: string, guard: UrlGuard, fileDir: string): Promise<CheckedSource> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BadRequestError(`source.url: ${JSON.stringify(url)} is not a URL`);
  }
  const kind = KINDS[parsed.protocol];
  if (kind === undefined)
    throw new BadRequestError(
      `source.url: ${parsed.protocol} sources are not recorded (http(s) HLS playlists, udp, srt, rtmp or file)`,
    );
  if (kind === 'file') return { kind, path: await checkFile(parsed, fileDir) };
  if (parsed.port === '' && (kind === 'udp' || kind === 'srt'))
    throw new BadRequestError(`source.url: a ${kind} source names its port`);
  try {
    await guard.check(url);
  } catch (error) {
    if (error instanceof UrlRefused) throw new BadRequestError(`source.url: ${error.message}`);
    throw error;
  }
  return { kind };
}

async function checkFile(url: URL, fileDir: string): Promise<string> {
  if (fileDir === '')
    throw new BadRequestError(
      'source.url: file sources are off on this server (TAMS_RECORDER_FILE_DIR is not set)',
    );
  if (url.host !== '') throw new BadRequestError('source.url: a file source is local (file:<path>, no host)');
  const root = await realpath(fileDir).catch(() => {
    throw new BadRequestError('source.url: TAMS_RECORDER_FILE_DIR does not exist on this server');
  });
  const named = fileURLToPath(url);
  const wanted = isAbsolute(named) && named.startsWith(root + sep) ? named : resolve(root, `.${named}`);
  const real = await realpath(wanted).catch(() => undefined);
  const inside = real !== undefined && !relative(root, real).startsWith('..') && real !== root;
  if (!inside || !(await stat(real as string)).isFile())
    throw new BadRequestError(
      `source.url: there is no file ${JSON.stringify(url.pathname)} in the file directory`,
    );
  return real as string;
}

/** The URL as a job shows it: the password and secret parameters hidden. */
export function shownUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.password !== '') parsed.password = '***';
  for (const name of [...parsed.searchParams.keys()])
    if (SECRET_PARAMS.includes(name.toLowerCase())) parsed.searchParams.set(name, '***');
  return parsed.toString();
}
