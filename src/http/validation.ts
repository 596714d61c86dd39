import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

const common: Options = {
  allErrors: false,
  removeAdditional: false,
  // Defaults document the API; applying them would rewrite stored documents (a Flow's
  // frame_rate.denominator) and Ajv strict mode rejects defaults inside oneOf branches.
  useDefaults: false,
  strict: false,
};

function makeAjv(coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ ...common, coerceTypes });
  addFormats.default(ajv);
  return ajv;
}

/**
 * Query strings and path parameters are text, so they are coerced to the schema's types; JSON
 * bodies are not: `"true"` is not a boolean ("Value must be boolean"), `"5"` is not a limit.
 */
export function registerValidation(app: FastifyInstance): void {
  const coercing = makeAjv('array');
  const strict = makeAjv(false);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema),
  );
}
