/**
 * The summary of a request Fastify's validation refused: where (`body`, `query`, `params`,
 * `headers`) and the full path of what is wrong, then what is wrong with it, from Ajv's first
 * error. A property that is not allowed, or one that is missing, is named in the path itself
 * (`body.essence_parameters.vertical_chroma_subs is not an allowed property`), where Ajv's own
 * message names only the object holding it.
 */

/** What the summary reads of a validation error (Ajv's ErrorObject, as Fastify passes it on). */
export interface ValidationIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  /** Set by Ajv on an error in a property's name (propertyNames). */
  propertyName?: string;
}

/** Longest property name written into a summary (names are client data, of any length). */
const MAX_NAME = 64;
const PLAIN = /^(?:[A-Za-z_$][\w$-]*|\d+)$/;
const PLACES: Record<string, string> = { querystring: 'query' };
const ARTICLE: Record<string, string> = { integer: 'an integer', object: 'an object', array: 'an array' };

/** `.name`, or `["a.b"]` for a name that would read as more than one step. */
function step(name: string): string {
  const shown = name.length > MAX_NAME ? `${name.slice(0, MAX_NAME)}…` : name;
  return PLAIN.test(name) ? `.${shown}` : `[${JSON.stringify(shown)}]`;
}

/** Ajv's instancePath (a JSON pointer, `/a/0/b~1c`) as `where.a.0["b/c"]`. */
function pathOf(where: string, pointer: string): string {
  if (pointer === '') return where;
  const names = pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  return where + names.map(step).join('');
}

function typeName(type: string): string {
  return ARTICLE[type] ?? (type === 'null' ? 'null' : `a ${type}`);
}

/** What is wrong, after the path: Ajv's message, reworded where it leaves things unnamed. */
function problem(error: ValidationIssue): string {
  const { params } = error;
  switch (error.keyword) {
    case 'additionalProperties':
      return 'is not an allowed property';
    case 'required':
      return 'is required';
    case 'enum':
      return `must be one of: ${(params.allowedValues as unknown[]).map((v) => String(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'type':
      return `must be ${String(params.type)
        .split(',')
        .map((t) => typeName(t))
        .join(' or ')}`;
    case 'format':
      return `must be a valid ${String(params.format)}`;
    default:
      return error.message ?? 'is invalid';
  }
}

/** The summary of `errors` (Ajv's, first one first) found in `context` (Fastify's name for the part). */
export function validationSummary(context: string | undefined, errors: readonly ValidationIssue[]): string {
  const where = PLACES[context ?? ''] ?? context ?? 'request';
  const first = errors[0];
  if (first === undefined) return `${where} is invalid`;
  const { params } = first;
  let path = pathOf(where, first.instancePath);
  if (first.keyword === 'additionalProperties') path += step(String(params.additionalProperty));
  else if (first.keyword === 'required') path += step(String(params.missingProperty));
  // An error in a property's name (propertyNames) names the property it found.
  if (first.propertyName !== undefined) {
    return `${path} has a property name ${JSON.stringify(first.propertyName)} that ${first.message ?? 'is invalid'}`;
  }
  return `${path} ${problem(first)}`;
}
