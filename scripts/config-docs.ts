// Rewrites the configuration table in README.md from the config schema.
import { readFileSync, writeFileSync } from 'node:fs';
import { withConfigTable } from '../src/config.docs.ts';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = withConfigTable(before);
if (after !== before) writeFileSync(path, after);
process.stdout.write(
  after === before ? 'README.md config table is up to date\n' : 'README.md config table updated\n',
);
