/**
 * `npm run openapi:examples`: writes src/http/openapi.examples.json, the TAMS 7.0 document's own
 * examples by operation (scripts/openapi.examples.ts), which the server puts in its OpenAPI
 * document. The spec is found as the tests find it (TAMS_SPEC_DIR, ../shared/tams-spec,
 * .spec/tams). Prints the examples left out because the spec's own schemas reject them.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSpec, SPEC_HINT } from '../tools/spec-location.ts';
import { REPO_ROOT } from './openapi.document.ts';
import { EXAMPLES_FILE, specExamples } from './openapi.examples.ts';

const spec = findSpec();
if (!spec) {
  process.stderr.write(`openapi:examples: the TAMS 7.0 spec was not found: ${SPEC_HINT}\n`);
  process.exit(2);
}
const { examples, rejected } = specExamples(spec.apiDir);
const file = join(REPO_ROOT, EXAMPLES_FILE);
writeFileSync(file, `${JSON.stringify(examples, null, 2)}\n`);
// In the layout `npm run lint` checks (biome collapses short arrays).
execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', file], {
  stdio: 'ignore',
});
const count = Object.values(examples.operations).length;
process.stdout.write(`openapi:examples: ${EXAMPLES_FILE} written (examples of ${count} operations)\n`);
for (const line of rejected) process.stdout.write(`  left out, the spec's own schema rejects it: ${line}\n`);
