// Rewrites the configuration table in docs/configuration.md from the config schema.
import { readFileSync, writeFileSync } from 'node:fs';
import { withConfigTable } from '../src/config.docs.ts';

const path = new URL('../docs/configuration.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = withConfigTable(before);
if (after !== before) writeFileSync(path, after);
process.stdout.write(
  after === before
    ? 'docs/configuration.md config table is up to date\n'
    : 'docs/configuration.md config table updated\n',
);
