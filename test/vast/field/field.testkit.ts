/**
 * Reads a folder of golden files written by `tams-mgmt vast check` (answers/*.json,
 * errors/*.json) and reads each recorded answer again through the engine's parsers
 * (mgmt/vast/vast.decode.ts), for comparison with what the kit recorded they read.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AnswerInput, decodeAnswer, decodeError, toJson } from '../../../mgmt/vast/vast.decode.ts';

export interface GoldenFile {
  readonly target: string;
  readonly operation: string;
  readonly request: { readonly method: string; readonly path: string; readonly body_base64?: string };
  readonly response: {
    readonly status: number;
    readonly headers: Record<string, string>;
    readonly body_base64: string;
  };
  readonly decoded?: unknown;
  readonly parse_error?: string;
}

export interface Replayed {
  /** `<folder>/answers/<operation>.json` */
  readonly file: string;
  readonly golden: GoldenFile;
  /** What the kit recorded the parser read (undefined when it recorded a refusal). */
  readonly recorded: unknown;
  /** What the parser reads now, or `{ parse_error }` when it refuses the answer. */
  readonly actual: unknown;
}

function input(g: GoldenFile): AnswerInput {
  return {
    operation: g.operation,
    method: g.request.method,
    path: g.request.path,
    requestBody:
      g.request.body_base64 === undefined ? undefined : Buffer.from(g.request.body_base64, 'base64'),
    status: g.response.status,
    headers: g.response.headers,
    body: Buffer.from(g.response.body_base64, 'base64'),
  };
}

export function replayFile(path: string, file: string): Replayed {
  const golden = JSON.parse(readFileSync(path, 'utf8')) as GoldenFile;
  let actual: unknown;
  try {
    const i = input(golden);
    actual = toJson(i.status === 200 ? decodeAnswer(i) : decodeError(i));
  } catch (error) {
    actual = { parse_error: error instanceof Error ? error.message : String(error) };
  }
  return { file, golden, recorded: golden.decoded, actual };
}

/** Every golden file of one folder (one cluster's recording), replayed. */
export function replayFolder(dir: string, name = dir): Replayed[] {
  const out: Replayed[] = [];
  for (const sub of ['answers', 'errors']) {
    const at = join(dir, sub);
    if (!existsSync(at)) continue;
    for (const f of readdirSync(at)
      .filter((n) => n.endsWith('.json'))
      .sort())
      out.push(replayFile(join(at, f), `${name}/${sub}/${f}`));
  }
  return out;
}
