/**
 * The TAMS 8.2 spec's own JSON schemas, compiled with Ajv, as the oracle of the /tams/v8.2
 * mount's tests (the same functions as spec-schemas.ts's for 7.0: spec-oracle.ts).
 */
import { findSpec82, SPEC_8_2_HINT } from '../../tools/spec-location.ts';
import { type SpecOracle, specOracle } from './spec-oracle.ts';

function apiDir(): string {
  const found = findSpec82();
  // vitest.config.ts leaves out every test file that imports this module without the 8.2 spec.
  if (!found) throw new Error(`TAMS 8.2 spec not found: ${SPEC_8_2_HINT}`);
  return found.apiDir;
}

/** The verbatim 8.2 spec's `api/` folder, with a trailing separator. */
export const SPEC_8_2_DIR = apiDir();

export const spec82: SpecOracle = specOracle(SPEC_8_2_DIR);
