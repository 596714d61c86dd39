import { Ajv, type ErrorObject, type Options } from 'ajv';
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

interface SchemaObject {
  type?: string;
  oneOf?: SchemaObject[];
  properties?: Record<string, { const?: unknown; enum?: unknown[] }>;
}

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** The one value a branch gives `key` (`const`, or an `enum` of one). */
function tag(branch: SchemaObject, key: string): unknown {
  const p = branch.properties?.[key];
  if (p?.const !== undefined) return p.const;
  return p?.enum?.length === 1 ? p.enum[0] : undefined;
}

/**
 * A `oneOf` whose branches each fix one property (a Flow's `format`) is validated against the
 * branch that property names, so a client hears what is wrong with its video Flow, not that it
 * also fails to be an audio Flow.
 */
function discriminated(ajv: Ajv, schema: SchemaObject): Validate | undefined {
  const branches = schema.oneOf;
  const list = branches?.find((b) => b.type === 'array');
  const single = branches?.find((b) => b.type !== 'array');
  if (branches?.length === 2 && list && single) {
    // One item or an array of them (a segments POST): validate as whichever it is.
    const [one, many] = [ajv.compile(single), ajv.compile(list)];
    const validate: Validate = (data) => {
      const branch = Array.isArray(data) ? many : one;
      const ok = branch(data);
      validate.errors = branch.errors;
      return ok;
    };
    return validate;
  }
  const first = branches?.[0];
  if (!branches || !first?.properties) return undefined;
  const key = Object.keys(first.properties).find((k) => branches.every((b) => tag(b, k) !== undefined));
  if (key === undefined) return undefined;
  const byTag = new Map(branches.map((b) => [tag(b, key), ajv.compile(b)]));
  const validate: Validate = (data) => {
    const value =
      data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
    const branch = byTag.get(value);
    if (branch) {
      const ok = branch(data);
      validate.errors = branch.errors;
      return ok;
    }
    validate.errors = [
      {
        instancePath: `/${key}`,
        schemaPath: '#/oneOf',
        keyword: 'enum',
        params: { allowedValues: [...byTag.keys()] },
        message: 'must be equal to one of the allowed values',
      },
    ];
    return false;
  };
  return validate;
}

/**
 * Query strings and path parameters are text, so they are coerced to the schema's types; JSON
 * bodies are not: `"true"` is not a boolean ("Value must be boolean"), `"5"` is not a limit.
 */
export function registerValidation(app: FastifyInstance): void {
  const coercing = makeAjv('array');
  const strict = makeAjv(false);
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (httpPart !== 'body') return coercing.compile(schema);
    return discriminated(strict, schema as SchemaObject) ?? strict.compile(schema);
  });
}
