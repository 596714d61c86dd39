/**
 * The TAMS 7.0 document's own examples in ours: openapi.examples.json holds them by operation
 * (`npm run openapi:examples` writes it from the spec: scripts/openapi.examples.ts), and each goes
 * on the request body or response media type of the same operation here, so that Swagger UI
 * shows a real Flow, segment or webhook rather than values it makes up from the patterns.
 */
import examplesFile from './openapi.examples.json' with { type: 'json' };

type MediaExamples = { example?: unknown; examples?: Record<string, unknown> };
type Content = Record<string, MediaExamples & { schema?: unknown }>;

export interface OperationExamples {
  requestBody?: Record<string, MediaExamples>;
  responses?: Record<string, Record<string, MediaExamples>>;
}

interface Operation {
  requestBody?: { content?: Content };
  responses?: Record<string, { content?: Content }>;
}

/** The spec's examples, by `<METHOD> <path>`. */
export const SPEC_EXAMPLES: Record<string, OperationExamples> = examplesFile.operations;

function place(content: Content | undefined, examples: Record<string, MediaExamples>): number {
  let placed = 0;
  for (const [type, media] of Object.entries(examples)) {
    const target = content?.[type];
    if (!target) continue;
    if (media.example !== undefined) target.example = media.example;
    if (media.examples !== undefined) target.examples = media.examples;
    placed++;
  }
  return placed;
}

/**
 * Puts each example on its operation's media type, where the document has that operation and
 * media type; returns how many media types received one (a test checks that every one did).
 */
export function attachExamples(
  paths: Record<string, { [method: string]: unknown }> | undefined,
  examples: Record<string, OperationExamples>,
): number {
  let placed = 0;
  for (const [key, found] of Object.entries(examples)) {
    const [method = '', path = ''] = key.split(' ');
    const op = paths?.[path]?.[method.toLowerCase()] as Operation | undefined;
    if (!op) continue;
    if (found.requestBody) placed += place(op.requestBody?.content, found.requestBody);
    for (const [status, media] of Object.entries(found.responses ?? {})) {
      placed += place(op.responses?.[status]?.content, media);
    }
  }
  return placed;
}
