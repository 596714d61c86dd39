import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of tams-server's package.json: the installation's root (a checkout, or the
 * container image's /app). Looked for upwards from this module because it sits one folder further
 * up from the compiled tree (dist/src/common/) than from the sources (src/common/), and the
 * server runs from either.
 */
export function packageRoot(): string {
  let dir = fileURLToPath(new URL('.', import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir.replace(/\/$/, '');
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error(`no package.json above ${import.meta.url}`);
    dir = parent;
  }
}

/** tams-server's version, from its package.json. */
export function packageVersion(): string {
  return JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version;
}

/** `text` as one word of a POSIX shell's command line. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * The management CLI (tams-mgmt) as a command line that runs from `cwd` in this installation,
 * whichever it is: its bin runs the sources where tsx is installed and the compiled tree where it
 * is not (bin/entry.mjs), as in the container image. Relative in the installation's folder (where
 * `npm run mgmt` does the same), else by its absolute path.
 */
export function mgmtCommand(cwd: string = process.cwd()): string {
  const root = packageRoot();
  const bin = resolve(cwd) === root ? 'bin/tams-mgmt.mjs' : join(root, 'bin', 'tams-mgmt.mjs');
  return `node ${shellWord(bin)}`;
}
