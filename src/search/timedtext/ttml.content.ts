import { type CueDraft, tidyText } from './timedtext.sink.ts';
import { BREAK, type TimedNode } from './ttml.timing.ts';
import type { XmlElement } from './ttml.xml.ts';

/** What an element passes on to its content: xml:space and ttm:agent. */
export interface Inherited {
  readonly preserve: boolean;
  readonly agent?: string | undefined;
}

/** `base` updated with the element's own xml:space and ttm:agent (its first IDREF, named when declared). */
export function inherit(el: XmlElement, base: Inherited, agents: ReadonlyMap<string, string>): Inherited {
  const space = el.attrs.get('xml:space')?.trim();
  const ref = el.attrs
    .get('ttm:agent')
    ?.trim()
    .split(/[ \t\r\n]+/)[0];
  const preserve = space === 'preserve' ? true : space === 'default' ? false : base.preserve;
  const agent = ref === undefined || ref === '' ? base.agent : (agents.get(ref) ?? ref);
  return preserve === base.preserve && agent === base.agent ? base : { preserve, agent };
}

/** A piece of a p's content with the interval it shows in; `text` undefined is a line break. */
interface Run {
  readonly begin: bigint;
  readonly end: bigint;
  readonly text: string | undefined;
  readonly preserve: boolean;
  readonly agent: string | undefined;
}

/**
 * What splitting may cost in a document: a piece's text is built from every run showing in it,
 * so a split costs about (pieces x the p's text length). Word-timed captions cost a few thousand
 * per p; a document that would pass this budget gets its remaining p unsplit (one cue each).
 */
export const SPLIT_BUDGET = 64_000_000;

export interface SplitBudget {
  remaining: number;
}

/**
 * The cues of one p active over [begin, end). When spans inside it have intervals of their own
 * that differ, the p is split at every span boundary into cues with the text showing in each
 * (identical neighbours merged, empty ones dropped), so a search hit points at when the words
 * show; otherwise it is one cue with the p's interval. Every cue keeps the p's xml:id. The
 * speaker is the first agent among the text showing.
 */
export function cuesOfParagraph(
  p: TimedNode,
  [begin, end]: readonly [bigint, bigint],
  inherited: Inherited,
  agents: ReadonlyMap<string, string>,
  budget: SplitBudget,
): CueDraft[] {
  const runs: Run[] = [];
  collectRuns(p, begin, end, inherited, agents, runs);
  const id = p.el.attrs.get('xml:id');
  const points = [...new Set([begin, end, ...runs.flatMap((run) => [run.begin, run.end])])].sort((a, b) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const cost = (points.length - 1) * runs.reduce((sum, run) => sum + (run.text?.length ?? 0) + 1, 0);
  if (points.length === 2 || cost > budget.remaining) return [{ start: begin, end, id, ...textOf(runs) }];
  budget.remaining -= cost;
  const cues: CueDraft[] = [];
  for (let n = 0; n + 1 < points.length; n++) {
    const [from, to] = [points[n] as bigint, points[n + 1] as bigint];
    const piece = textOf(runs.filter((run) => run.begin <= from && run.end >= to));
    const last = cues.at(-1);
    if (piece.text === '') continue;
    if (
      last !== undefined &&
      last.end === from &&
      last.text === piece.text &&
      last.speaker === piece.speaker
    ) {
      cues[cues.length - 1] = { ...last, end: to };
    } else {
      cues.push({ start: from, end: to, id, ...piece });
    }
  }
  return cues;
}

function collectRuns(
  node: TimedNode,
  begin: bigint,
  end: bigint,
  inherited: Inherited,
  agents: ReadonlyMap<string, string>,
  runs: Run[],
): void {
  for (const part of node.parts) {
    if (part === BREAK || typeof part === 'string') {
      const text = part === BREAK ? undefined : part;
      runs.push({ begin, end, text, preserve: inherited.preserve, agent: inherited.agent });
      continue;
    }
    const from = part.begin > begin ? part.begin : begin;
    const to = part.end !== undefined && part.end < end ? part.end : end;
    if (from < to) collectRuns(part, from, to, inherit(part.el, inherited, agents), agents, runs);
  }
}

/**
 * The runs as plain text, per XSL-FO's reading of xml:space: by default each run of XML
 * whitespace is one space and spaces at line starts and ends go; preserved text keeps its spaces
 * and its line feeds break lines. `<br/>` breaks a line.
 */
function textOf(runs: readonly Run[]): { text: string; speaker: string | undefined } {
  const lines: string[] = [];
  let line = '';
  let speaker: string | undefined;
  for (const run of runs) {
    if (run.text === undefined) {
      lines.push(line);
      line = '';
      continue;
    }
    if (speaker === undefined && !/^[ \t\r\n]*$/.test(run.text)) speaker = run.agent;
    if (run.preserve) {
      const [first, ...rest] = run.text.split('\n');
      line += first;
      for (const next of rest) {
        lines.push(line);
        line = next;
      }
      continue;
    }
    const collapsed = run.text.replace(/[ \t\r\n]+/g, ' ');
    line += collapsed.startsWith(' ') && (line === '' || line.endsWith(' ')) ? collapsed.slice(1) : collapsed;
  }
  lines.push(line);
  return { text: tidyText(lines.join('\n')), speaker };
}
