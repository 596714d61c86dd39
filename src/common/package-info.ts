import { existsSync, readFileSync } from 'node:fs';

/**
 * tams-server's version, from its package.json. The file is looked for upwards from this module
 * because it sits one folder further up from the compiled tree (dist/src/common/) than from the
 * sources (src/common/), and the server runs from either.
 */
export function packageVersion(): string {
  let dir = new URL('.', import.meta.url);
  for (;;) {
    const file = new URL('package.json', dir);
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).version;
    const parent = new URL('..', dir);
    if (parent.href === dir.href) throw new Error(`no package.json above ${import.meta.url}`);
    dir = parent;
  }
}
