import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the built UI: the configured one, else `ui/dist` of the installation. The
 * installation's root is the folder holding package.json above this module, looked for upwards
 * because the server runs from the sources (src/ui/) and from the compiled tree (dist/src/ui/).
 */
export function uiDirectory(configured: string): string {
  if (configured !== '') return resolve(configured);
  let dir = fileURLToPath(new URL('.', import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'ui', 'dist');
    const parent = resolve(dir, '..');
    if (parent === dir) return resolve('ui', 'dist');
    dir = parent;
  }
}

/** Whether a build is there to serve. */
export function uiBuilt(dir: string): boolean {
  return existsSync(join(dir, 'index.html'));
}
