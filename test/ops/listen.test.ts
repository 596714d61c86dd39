/**
 * A newcomer's start (issue 60, item 15): with no TAMS_HOST the server listens on the loopback
 * address only, since the API it serves holds an admin token's powers; and a browser opening `/`
 * is sent to the web UI rather than shown a 401 JSON body, while API clients get what they
 * always got.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitListening, START_DEADLINE_MS } from '../../tools/server-process.ts';
import { killChild, spawnChild } from '../helpers/children.ts';
import { tempDir } from '../helpers/server.ts';

const ROOT = new URL('../../', import.meta.url);
const dir = tempDir('tams-listen-');
let url = '';
let child: ReturnType<typeof spawnChild> | undefined;

/** An address of this machine other than loopback (IPv4), if it has one. */
function outsideAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/** Whether a TCP connection to `host`:`port` opens (false when refused). */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  // Exactly what a newcomer's shell has: no TAMS_HOST, authentication as by default.
  const inherited = Object.entries(process.env).filter(
    ([k]) => !k.startsWith('TAMS_') && k !== 'NODE_OPTIONS',
  );
  child = spawnChild(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...Object.fromEntries(inherited),
      TAMS_PORT: '0',
      TAMS_DATA_DIR: dir.path,
      TAMS_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  ({ url } = await awaitListening(child, START_DEADLINE_MS));
}, START_DEADLINE_MS + 10_000);

afterAll(async () => {
  if (child) await killChild(child);
  dir.remove();
});

describe('the server started with the defaults', () => {
  const outside = outsideAddress();

  it.skipIf(outside === undefined)(
    'listens on 127.0.0.1 and not on the machine’s other addresses',
    async () => {
      const port = Number(new URL(url).port);
      expect(await connects('127.0.0.1', port)).toBe(true);
      expect(await connects(outside as string, port)).toBe(false);
    },
  );

  it('sends a browser opening / to the web UI', async () => {
    const browser = await fetch(`${url}/`, {
      redirect: 'manual',
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/ui/');
    const page = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${url}/ui/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('answers API clients at / as before: 401 with the TAMS error body', async () => {
    for (const accept of [undefined, '*/*', 'application/json', 'text/html, application/json']) {
      const response = await fetch(`${url}/`, {
        redirect: 'manual',
        headers: accept === undefined ? {} : { accept },
      });
      expect(response.status, String(accept)).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toMatchObject({ type: 'Unauthorized' });
    }
    const mounted = await fetch(`${url}/tams/v8.2/`, {
      redirect: 'manual',
      headers: { accept: 'text/html' },
    });
    expect(mounted.status).toBe(401);
  });
});

describe('deployments', () => {
  const text = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

  it('the container image and the Helm chart listen on every interface, explicitly', () => {
    expect(text('Dockerfile')).toMatch(/^\s*TAMS_HOST=0\.0\.0\.0\b/m);
    expect(text('helm/tams-server/templates/configmap.yaml')).toMatch(/^\s*TAMS_HOST: "0\.0\.0\.0"$/m);
  });
});
