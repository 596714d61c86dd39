// Runs one of tams-server's entry points for the bins. In a checkout with the dev dependencies
// (tsx among them) the TypeScript source runs, as `npm run mgmt` and `npm start` do, so a CLI
// never runs a stale build; without tsx (the container image, an `npm ci --omit=dev` install)
// the compiled tree from `npm run build` runs.
import { existsSync } from 'node:fs';

async function tsx() {
  try {
    return await import('tsx/esm/api');
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/** `path`: the entry point under the repository root, without extension (e.g. `mgmt/main`). */
export async function runEntry(path) {
  const source = new URL(`../${path}.ts`, import.meta.url);
  const api = existsSync(source) ? await tsx() : undefined;
  if (api) {
    api.register();
    await import(source.href);
    return;
  }
  const compiled = new URL(`../dist/${path}.js`, import.meta.url);
  if (!existsSync(compiled)) {
    process.stderr.write(`${compiled.pathname} is missing: build it with \`npm run build\`\n`);
    process.exit(1);
  }
  await import(compiled.href);
}
