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
  title?: string;
  oneOf?: SchemaObject[];
  properties?: Record<string, { const?: unknown; enum?: unknown[] }>;
  required?: string[];
}

type Validate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** The one value a branch gives `key` (`const`, or an `enum` of one). */
function tag(branch: SchemaObject, key: string): unknown {
  const p = branch.properties?.[key];
  if (p?.const !== undefined) return p.const;
  return p?.enum?.length === 1 ? p.enum[0] : undefined;
}

/** The property every branch fixes, or every branch but one (TAMS 8.2's Flow from a Profile). */
function discriminator(branches: readonly SchemaObject[]): string | undefined {
  const names = new Set(branches.flatMap((b) => Object.keys(b.properties ?? {})));
  for (const name of names) {
    const fixed = branches.filter((b) => tag(b, name) !== undefined).length;
    if (fixed >= 2 && fixed >= branches.length - 1) return name;
  }
  return undefined;
}

function oneOfError(message: string): ErrorObject {
  return { instancePath: '', schemaPath: '#/oneOf', keyword: 'oneOf', params: {}, message };
}

/**
 * A `oneOf` whose branches each fix one property (a Flow's `format`) is validated against the
 * branch that property names, so a client hears what is wrong with its video Flow, not that it
 * also fails to be an audio Flow. A branch that does not fix it (8.2's Flow made from a Profile)
 * is tried beside the named one, and exactly one of the two must hold. Properties the schema
 * declares beside its `oneOf` (8.2's flow-common) are checked first.
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
  if (!branches) return undefined;
  const key = discriminator(branches);
  if (key === undefined) return undefined;
  const byTag = new Map(
    branches.filter((b) => tag(b, key) !== undefined).map((b) => [tag(b, key), { b, check: ajv.compile(b) }]),
  );
  const untagged = branches.find((b) => tag(b, key) === undefined);
  const other = untagged && { b: untagged, check: ajv.compile(untagged) };
  const { oneOf: _branches, ...rest } = schema;
  const base = rest.properties || rest.required ? ajv.compile(rest) : undefined;
  const validate: Validate = (data) => {
    if (base && !base(data)) {
      validate.errors = base.errors;
      return false;
    }
    const value =
      data !== null && typeof data === 'object' ? (data as Record<string, unknown>)[key] : undefined;
    const named = byTag.get(value);
    const namedOk = named?.check(data) ?? false;
    const otherOk = other?.check(data) ?? false;
    if (namedOk && otherOk) {
      const titles = [other?.b.title, named?.b.title].map((t) => t ?? 'one branch').join(' or a ');
      validate.errors = [oneOfError(`must be either a ${titles}, not both`)];
      return false;
    }
    if (namedOk || otherOk) return true;
    if (named) {
      validate.errors = named.check.errors;
      return false;
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
