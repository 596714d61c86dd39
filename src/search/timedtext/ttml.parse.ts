import { CueSink, checkSize, stripBom } from './timedtext.sink.ts';
import { type TimedText, TimedTextError } from './timedtext.types.ts';
import { cuesOfParagraph, type Inherited, inherit, SPLIT_BUDGET, type SplitBudget } from './ttml.content.ts';
import { timingParams } from './ttml.time.ts';
import { resolveTiming, type TimedNode, TimingError } from './ttml.timing.ts';
import { type Locate, readXml, type XmlElement } from './ttml.xml.ts';

/**
 * Parses TTML (TTML1, TTML2, IMSC, DFXP). Each `p` of the body active over a resolved interval
 * gives its cue(s) (see cuesOfParagraph for p split at their spans' times). Elements are matched
 * by namespace, whatever their prefixes; elements of other namespaces, metadata, and text outside
 * p are not content. Only XML's five entities and character references are decoded: a DOCTYPE's
 * entities are never expanded (their references stay as written) and external ones never read.
 *
 * Fatal (TimedTextError, located by byte offset): size over the cap, malformed XML, an undeclared
 * prefix, nesting or element count over the guard's bounds, a root that is not TTML's `tt`, a
 * timeBase other than media, an invalid ttp: parameter, time expression or timeContainer, more
 * cues than the cap. Skipped and counted: a p whose interval is empty or never ends.
 */
export function parseTtml(text: string): TimedText {
  checkSize(text, 'ttml');
  const body = stripBom(text);
  const bom = text.length - body.length;
  const locate: Locate = (index) => `byte ${Buffer.byteLength(text.slice(0, index + bom), 'utf8')}`;
  const fail = (el: XmlElement, reason: string): never => {
    throw new TimedTextError('ttml', locate(el.index), reason);
  };
  const root = readXml(body, locate);
  if (root.ns !== 'tt' || root.local !== 'tt') fail(root, 'the root element is not tt in the TTML namespace');
  const params = timingParams(root);
  if (typeof params === 'string') return fail(root, params);
  const bodyEl = root.children.find((c): c is XmlElement => typeof c !== 'string' && isTt(c, 'body'));
  const sink = new CueSink('ttml');
  if (bodyEl === undefined) return sink.result();
  let tree: TimedNode;
  try {
    tree = resolveTiming(bodyEl, 0n, params);
  } catch (error) {
    if (error instanceof TimingError) return fail(error.el, error.message);
    throw error;
  }
  const agents = agentNames(root);
  const budget: SplitBudget = { remaining: SPLIT_BUDGET };
  const emit = (node: TimedNode, from: bigint, until: bigint | undefined, base: Inherited): void => {
    const begin = node.begin > from ? node.begin : from;
    const end = until === undefined || (node.end !== undefined && node.end < until) ? node.end : until;
    const here = inherit(node.el, base, agents);
    if (!isTt(node.el, 'p')) {
      for (const part of node.parts) if (typeof part === 'object') emit(part, begin, end, here);
      return;
    }
    if (end === undefined || end <= begin) {
      sink.skipped++;
      return;
    }
    for (const cue of cuesOfParagraph(node, [begin, end], here, agents, budget)) {
      sink.add(cue, () => locate(node.el.index));
    }
  };
  emit(tree, 0n, undefined, inherit(root, { preserve: false }, agents));
  return sink.result();
}

function isTt(el: XmlElement, local: string): boolean {
  return el.ns === 'tt' && el.local === local;
}

/** `ttm:agent` declarations anywhere in the document: xml:id to the first ttm:name's text. */
function agentNames(root: XmlElement): Map<string, string> {
  const names = new Map<string, string>();
  const stack = [root];
  for (let el = stack.pop(); el !== undefined; el = stack.pop()) {
    const id = el.attrs.get('xml:id');
    const name = el.children.find(
      (c): c is XmlElement => typeof c !== 'string' && c.ns === 'ttm' && c.local === 'name',
    );
    if (el.ns === 'ttm' && el.local === 'agent' && id !== undefined && name !== undefined) {
      const text = textContent(name)
        .replace(/[ \t\r\n]+/g, ' ')
        .trim();
      if (text !== '' && !names.has(id)) names.set(id, text);
    }
    // Reversed onto the stack so declarations are met in document order.
    for (let k = el.children.length - 1; k >= 0; k--) {
      const child = el.children[k];
      if (typeof child === 'object') stack.push(child);
    }
  }
  return names;
}

function textContent(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textContent(c))).join('');
}
