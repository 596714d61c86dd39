/**
 * The TAMS 7.0 spec's own JSON schemas, compiled with Ajv, as the oracle for tests: our TypeBox
 * transcriptions are checked against them, and HTTP tests validate response bodies with them.
 * Schema names, and what each function does: spec-oracle.ts (the 8.2 spec's: spec82-schemas.ts).
 */
import { specApiDir } from '../../tools/spec-location.ts';
import { specOracle } from './spec-oracle.ts';

/**
 * The verbatim 7.0 spec (`api/` of bbc/tams at tag 7.0), wherever tools/spec-location.ts finds it.
 * Without one this throws saying how to get it; vitest.config.ts leaves out every test file that
 * imports this module when there is no spec, so a run only gets here with one.
 */
export const SPEC_DIR = specApiDir();

export const { specSchemaNames, specExampleNames, specExample, specValidator, specErrors, assertSpecValid } =
  specOracle(SPEC_DIR);
