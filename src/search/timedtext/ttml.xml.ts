import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { decodeReferences, XML_ENTITIES } from './timedtext.entities.ts';
import { TimedTextError } from './timedtext.types.ts';
import { guardXml, MAX_XML_DEPTH } from './ttml.guard.ts';

/**
 * An element with its names resolved: namespaces TTML knows are given short names ('tt', 'ttp',
 * 'tts', 'ttm', 'xml'), any other is `{uri}`. Attribute keys are `ns:local` for namespaced
 * attributes and `local` for the rest.
 */
export interface XmlElement {
  readonly ns: string;
  readonly local: string;
  readonly attrs: ReadonlyMap<string, string>;
  /** Elements and character data (entities decoded, CDATA as written), in document order. */
  readonly children: readonly (XmlElement | string)[];
  /** Index of the element's '<' in the parsed text. */
  readonly index: number;
}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const SHORT_NAMES = new Map<string, string>([[XML_NS, 'xml']]);
// TTML (TTML1, TTML2, IMSC) and the older DFXP drafts' namespaces: same vocabulary.
for (const base of [
  'http://www.w3.org/ns/ttml',
  'http://www.w3.org/2006/10/ttaf1',
  'http://www.w3.org/2006/04/ttaf1',
]) {
  SHORT_NAMES.set(base, 'tt');
  for (const sub of ['parameter', 'styling', 'metadata']) SHORT_NAMES.set(`${base}#${sub}`, `tt${sub[0]}`);
}

/**
 * No entity processing (a DOCTYPE's entities are never expanded, external ones never fetched),
 * order preserved for mixed content, values kept as strings and untrimmed, positions recorded.
 */
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  cdataPropName: '#cdata',
  commentPropName: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  captureMetaData: true,
  jPath: false,
  // The guard refuses deeper documents first; this only backs it up.
  maxNestedTags: MAX_XML_DEPTH + 1,
});
// Typed as the Symbol wrapper object by the library; it is a symbol.
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

type FxpNode = Record<string, unknown>;

/** Where an index of the text is, as "byte N" of its UTF-8 form. */
export type Locate = (index: number) => string;

/**
 * Parses `text` (no BOM) into its root element. Malformed XML, unbound prefixes and documents
 * over the guard's bounds are TimedTextErrors located with `locate`.
 */
export function readXml(text: string, locate: Locate): XmlElement {
  const fail = (index: number, reason: string): never => {
    throw new TimedTextError('ttml', locate(index), reason);
  };
  const guard = guardXml(text);
  if (guard !== undefined) fail(guard.index, guard.reason);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    fail(indexOfLine(text, valid.err.line, valid.err.col), `malformed XML: ${valid.err.msg}`);
  }
  let nodes: FxpNode[];
  try {
    nodes = parser.parse(text) as FxpNode[];
  } catch (error) {
    // What the validator lets through: DOCTYPE contents the parser refuses (external entities).
    const doctype = text.indexOf('<!DOCTYPE');
    return fail(doctype === -1 ? 0 : doctype, `malformed XML: ${(error as Error).message}`);
  }
  // The validator lets through what follows a self-closed root element.
  const [root, second] = nodes.filter((node) => nameOf(node) !== undefined);
  if (root === undefined) return fail(0, 'no root element');
  if (second !== undefined) return fail(startOf(second), 'more than one root element');
  if (nodes.some((node) => typeof node['#text'] === 'string' && /\S/.test(node['#text']))) {
    return fail(startOf(root), 'text outside the root element');
  }
  return toElement(root, new Map([['xml', XML_NS]]), fail);
}

function startOf(node: FxpNode): number {
  return (node as Record<symbol, { startIndex?: number } | undefined>)[META]?.startIndex ?? 0;
}

/** The element's tag name, or undefined for text and CDATA nodes. */
function nameOf(node: FxpNode): string | undefined {
  for (const key of Object.keys(node)) {
    if (key !== ':@' && key !== '#text' && key !== '#cdata') return key;
  }
  return undefined;
}

function toElement(
  node: FxpNode,
  scope: ReadonlyMap<string, string>,
  fail: (index: number, reason: string) => never,
): XmlElement {
  const tag = nameOf(node) as string;
  const index = startOf(node);
  const raw = (node[':@'] ?? {}) as Record<string, string>;
  let inner: Map<string, string> | undefined;
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      inner ??= new Map(scope);
      inner.set(name === 'xmlns' ? '' : name.slice(6), decodeReferences(value, XML_ENTITIES));
    }
  }
  const names = inner ?? scope;
  const resolve = (qname: string, isElement: boolean): [string, string] => {
    const colon = qname.indexOf(':');
    if (colon === -1) return [isElement ? shortName(names.get('') ?? '') : '', qname];
    const uri = names.get(qname.slice(0, colon));
    if (uri === undefined || uri === '') fail(index, `prefix of ${JSON.stringify(qname)} is not declared`);
    return [shortName(uri as string), qname.slice(colon + 1)];
  };
  const attrs = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    const [ns, local] = resolve(name, false);
    attrs.set(ns === '' ? local : `${ns}:${local}`, decodeReferences(value, XML_ENTITIES));
  }
  const [ns, local] = resolve(tag, true);
  const children: (XmlElement | string)[] = [];
  for (const child of node[tag] as FxpNode[]) {
    if (typeof child['#text'] === 'string') children.push(decodeReferences(child['#text'], XML_ENTITIES));
    else if (Array.isArray(child['#cdata'])) children.push(cdataText(child['#cdata'] as FxpNode[]));
    else if (nameOf(child) !== undefined) children.push(toElement(child, names, fail));
  }
  return { ns, local, attrs, children, index };
}

/** '' for no namespace. */
function shortName(uri: string): string {
  return uri === '' ? '' : (SHORT_NAMES.get(uri) ?? `{${uri}}`);
}

function cdataText(parts: FxpNode[]): string {
  return parts.map((part) => (typeof part['#text'] === 'string' ? part['#text'] : '')).join('');
}

/** The index of a 1-based line and column as the validator counts them (lines end at '\n'). */
function indexOfLine(text: string, line: number, col: number | undefined): number {
  let index = 0;
  for (let n = 1; n < line; n++) {
    const lf = text.indexOf('\n', index);
    if (lf === -1) break;
    index = lf + 1;
  }
  return Math.min(index + Math.max((col ?? 1) - 1, 0), text.length);
}
