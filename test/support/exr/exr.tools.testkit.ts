/**
 * Readers of the text the OpenEXR tools print, for comparing with them: `exrheader` (the C++
 * library: `name (type T): value`, continuation lines indented by 4) and `exrinfo -v -a` (the C
 * core: `  name: type value`, continuation lines indented further).
 */

export interface ToolAttribute {
  type: string;
  /** What follows the type on the attribute's own line ('' when nothing). */
  text: string;
  /** The continuation lines, trimmed. */
  lines: string[];
}

export interface ExrheaderDump {
  version: number;
  flags: number;
  parts: Map<string, ToolAttribute>[];
}

const EXRHEADER_ATTRIBUTE = /^(.+?) \(type ([^)]+)\)(?::\s?(.*))?$/;

export function parseExrheader(text: string): ExrheaderDump {
  const version = /file format version: (\d+), flags (0x[0-9a-f]+)/.exec(text);
  if (!version) throw new Error('no "file format version" line');
  const parts: Map<string, ToolAttribute>[] = [];
  let part: Map<string, ToolAttribute> | undefined;
  let last: ToolAttribute | undefined;
  for (const line of text.slice(version.index + version[0].length).split('\n')) {
    if (line.trim() === '') continue;
    if (/^ part \d+:$/.test(line)) {
      part = new Map();
      parts.push(part);
      continue;
    }
    const attribute = EXRHEADER_ATTRIBUTE.exec(line);
    if (attribute && !line.startsWith(' ')) {
      if (part === undefined) {
        part = new Map();
        parts.push(part);
      }
      last = { type: attribute[2] ?? '', text: attribute[3] ?? '', lines: [] };
      part.set(attribute[1] ?? '', last);
    } else if (last !== undefined && line.startsWith(' ')) {
      last.lines.push(line.trim());
    } else {
      throw new Error(`unexpected exrheader line: ${line}`);
    }
  }
  return { version: Number(version[1]), flags: Number.parseInt(version[2] ?? '0', 16), parts };
}

export interface ExrinfoPart {
  name: string;
  attributes: Map<string, ToolAttribute>;
  /** `tiled image has levels: x X y Y` and the tile counts per level that follow it. */
  levels?: { x: number; y: number; xTiles: number[]; yTiles: number[] };
}

export interface ExrinfoDump {
  parts: ExrinfoPart[];
  /** exrinfo stopped with an error instead (exrinfo 3.1.5 refuses some files exrheader reads). */
  error?: string;
}

const EXRINFO_ATTRIBUTE = /^ {2}(\S.*?): (\S+)(?: (.*))?$/;

const tileCounts = (line: string) => [...line.matchAll(/(\d+) \(sz \d+\)/g)].map((m) => Number(m[1]));

export function parseExrinfo(text: string): ExrinfoDump {
  if (text.startsWith('ERROR')) return { parts: [], error: text.trim() };
  const parts: ExrinfoPart[] = [];
  let last: ToolAttribute | undefined;
  for (const line of text.split('\n')) {
    const header = /^ part \d+: (.*)$/.exec(line);
    if (header) {
      parts.push({ name: header[1] ?? '', attributes: new Map() });
      last = undefined;
      continue;
    }
    const part = parts.at(-1);
    if (part === undefined || line.trim() === '') continue;
    const levels = /^ {2}tiled image has levels: x (\d+) y (\d+)$/.exec(line);
    if (levels) {
      part.levels = { x: Number(levels[1]), y: Number(levels[2]), xTiles: [], yTiles: [] };
      last = undefined;
      continue;
    }
    if (part.levels && /^ {4}[xy] tile count:/.test(line)) {
      part.levels[line.includes('x tile') ? 'xTiles' : 'yTiles'] = tileCounts(line);
      continue;
    }
    const attribute = EXRINFO_ATTRIBUTE.exec(line);
    if (attribute) {
      last = { type: attribute[2] ?? '', text: attribute[3] ?? '', lines: [] };
      part.attributes.set(attribute[1] ?? '', last);
    } else if (last !== undefined && line.startsWith('   ')) {
      last.lines.push(line.trim());
    } else {
      throw new Error(`unexpected exrinfo line: ${line}`);
    }
  }
  return { parts };
}

/** The numbers in a tool's text, in order (integers, decimals, exponents; not 0x.. codes). */
export function numbersIn(text: string): number[] {
  return [...text.matchAll(/(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.])/g)].map((m) => Number(m[0]));
}

/** The tools print floats as C's %g (6 significant digits) and integers exactly. */
export function sameAsPrinted(printed: number, value: number): boolean {
  return printed === value || printed === Number(value.toPrecision(6));
}
