/**
 * The management commands the server and the CLI print, run where they are printed, in a checkout
 * (the compiled tree and the container image's are scripts/smoke-dist.ts's): the first-start
 * banner of `npm start` names the CLI, and the CLI's usage names `npm run mgmt`; both must open
 * the store the server used once it is stopped.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/server.ts';
import { interrupt, killGroup, type NpmServer, startNpm } from '../ops/npm.process.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = tempDir('tams-mgmt-banner-');
let current: NpmServer | undefined;
afterEach(() => {
  if (current) killGroup(current.npm);
  current = undefined;
});
afterAll(() => dir.remove());

/** `command` as a person pastes it into a shell in `cwd`, with the server's settings. */
function shell(command: string, cwd: string): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('TAMS_') && k !== 'NODE_OPTIONS'),
  );
  return spawnSync('sh', ['-c', command], {
    cwd,
    env: { ...env, TAMS_DATA_DIR: dir.path },
    encoding: 'utf8',
  });
}

describe('management commands printed by the server and the CLI', () => {
  it('run where they are printed and open the store', async () => {
    const server = await startNpm(dir.path);
    current = server;
    interrupt(server);
    expect((await server.exited).code).toBe(0);
    const banner = server.stderr();
    expect(banner).toContain('first start, an admin API token was created');
    // The banner's command, on a line of its own, run in the folder `npm start` ran in.
    const cli = /^ {3}(node \S+) help$/m.exec(banner)?.[1];
    expect(cli, banner).toBe('node bin/tams-mgmt.mjs');
    const help = shell(`${cli} help`, ROOT);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: tams-mgmt /);
    const tokens = shell(`${cli} token list`, ROOT);
    expect(tokens.status, tokens.stderr).toBe(0);
    expect(tokens.stdout).toContain('first-admin');

    // The usage's `npm run mgmt -- <command>`, and `npm run admin`, its other name.
    const npmRun = /\((npm run mgmt --) <command> \[options\]\)/.exec(help.stdout)?.[1];
    expect(npmRun, help.stdout).toBeDefined();
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('tams-admin (npm run admin) is another name');
    for (const command of [`${npmRun} token list`, 'npm run admin -- token list']) {
      const run = shell(command, ROOT);
      expect(run.status, `${command}: ${run.stderr}`).toBe(0);
      expect(run.stdout).toContain('first-admin');
    }
  }, 120_000);
});
