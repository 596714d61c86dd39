/**
 * `prepare` (npm runs it after `npm install` and `npm ci` in the repository): builds the web UI
 * (`npm run build:ui`, Vite: ui/ to ui/dist) so that `npm install && npm start` serves it. Two
 * installs have nothing to build with, and say so instead of failing:
 *  - production installs (`--omit=dev`: the container image's runtime stage, scripts/image-tree.sh),
 *    which have no Vite and take the UI built by the build stage;
 *  - installs before the sources are there (the Dockerfile installs dependencies first, in a layer
 *    of their own), whose `npm run build` builds the UI later.
 * Trees without scripts/ (the image's build context leaves it out; scripts/image-tree.sh copies
 * no sources) skip it by the guard in package.json. Plain JavaScript: it runs before (and
 * without) tsx.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const omitted = (process.env.npm_config_omit ?? '').split(/[\s,]+/);
if (omitted.includes('dev') || !existsSync('node_modules/vite/package.json')) {
  console.log('prepare: no dev dependencies (a production install): the web UI is not built here');
  process.exit(0);
}
if (!existsSync('ui/index.html')) {
  console.log('prepare: ui/ is not here yet: `npm run build` builds the web UI later');
  process.exit(0);
}
const run = spawnSync('npm', ['run', 'build:ui'], { stdio: 'inherit' });
process.exit(run.status ?? 1);
