// Validates the media search evaluation set (programmes.json, transcripts/*.vtt, queries.json) and prints
// a summary. Run: node --import tsx bench/search-eval/check.ts. Exits 1 on any failure, listing each one.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { stemmer } from 'stemmer';

const require = createRequire(import.meta.url);
// stopword ships no type declarations; only its English list is used.
const { eng } = require('stopword') as { eng: string[] };

const DIR = import.meta.dirname;
const FORMATS = ['urn:x-nmos:format:video', 'urn:x-nmos:format:audio'] as const;
const QUERY_TYPES = ['keyword', 'paraphrase', 'phrase', 'prefix', 'metadata', 'mixed'] as const;
type QueryType = (typeof QUERY_TYPES)[number];
const MINIMUM = { programmes: 50, cues: 2000, queries: 150 };
const MINIMUM_BY_TYPE: Record<QueryType, number> = {
  keyword: 50,
  paraphrase: 50,
  phrase: 15,
  prefix: 10,
  metadata: 15,
  mixed: 1,
};

interface Programme {
  key: string;
  label: string;
  description: string;
  tags: Record<string, string>;
  format: (typeof FORMATS)[number];
  codec: string;
  duration_s: number;
}

interface Cue {
  index: number;
  startMs: number;
  endMs: number;
  /** Payload lines joined by spaces, tags removed and character references decoded. */
  text: string;
  /** The annotation of a `<v>` span, when the cue has one. */
  voice: string | undefined;
}

type Relevant = { programme: string; cue: number } | { programme: string; metadata: true };

interface Query {
  id: string;
  q: string;
  type: QueryType;
  relevant: Relevant[];
  note?: string;
}

const failures: string[] = [];
const fail = (message: string): void => {
  failures.push(message);
};

// ---------------------------------------------------------------------------------------------------------
// Text normalisation: NFKC, lower case, split on anything but letters and digits, English stop words of
// `stopword` dropped, Porter stem. `words` is the same without stop-word removal and stemming.

const STOP = new Set(eng);

function words(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

function terms(text: string): Set<string> {
  return new Set(
    words(text)
      .filter((w) => !STOP.has(w))
      .map((w) => stemmer(w)),
  );
}

/** Lower-cased words separated by single spaces, padded, so that phrase matching ignores punctuation. */
function flat(text: string): string {
  return ` ${words(text).join(' ')} `;
}

// ---------------------------------------------------------------------------------------------------------
// WebVTT: the subset of the W3C syntax these files use, checked strictly. A file is the `WEBVTT` signature
// (optionally followed by a space or tab and text), header lines up to the first blank line, then blocks
// separated by blank lines: NOTE comments, STYLE and REGION blocks before the first cue, and cues (an
// optional identifier line, a timing line with optional settings, one or more payload lines).

const TIMESTAMP = String.raw`(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})`;
const TIMING = new RegExp(`^${TIMESTAMP}[ \\t]+-->[ \\t]+${TIMESTAMP}(?:[ \\t]+(.*))?$`);
const SETTING = new RegExp(
  `^(?:${[
    'vertical:(?:rl|lr)',
    String.raw`line:-?\d+(?:\.\d+)?%?(?:,(?:start|center|end))?`,
    String.raw`position:\d+(?:\.\d+)?%(?:,(?:line-left|center|line-right))?`,
    String.raw`size:\d+(?:\.\d+)?%`,
    'align:(?:start|center|end|left|right)',
    String.raw`region:\S+`,
  ].join('|')})$`,
);
const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  nbsp: '\u00a0',
  lrm: '\u200e',
  rlm: '\u200f',
};

function toMs(hours: string | undefined, minutes: string, seconds: string, millis: string): number {
  return ((Number(hours ?? '0') * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000 + Number(millis);
}

function payloadText(lines: string[]): { text: string; voice: string | undefined } {
  const raw = lines.join(' ');
  const voice = /<v(?:\.[^\s>]+)*[ \t]+([^>]+)>/.exec(raw)?.[1]?.trim();
  const text = raw
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|nbsp|lrm|rlm);/g, (_, name: string) => ENTITIES[name] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return { text, voice };
}

function parseVtt(source: string, where: string, durationMs: number): Cue[] {
  const lines = source.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const problems: string[] = [];
  if (!/^WEBVTT(?:[ \t].*)?$/.test(lines[0] ?? '')) problems.push('line 1 is not the WEBVTT signature');
  let i = 1;
  while (i < lines.length && lines[i] !== '') {
    if (lines[i]?.includes('-->')) problems.push(`line ${i + 1}: a header line may not contain "-->"`);
    i++;
  }
  const cues: Cue[] = [];
  while (i < lines.length) {
    while (i < lines.length && lines[i] === '') i++;
    if (i >= lines.length) break;
    const first = i;
    const block: string[] = [];
    while (i < lines.length && lines[i] !== '') block.push(lines[i++] ?? '');
    const head = block[0] ?? '';
    if (/^NOTE(?:[ \t]|$)/.test(head)) {
      if (block.some((l) => l.includes('-->')))
        problems.push(`line ${first + 1}: a NOTE may not contain "-->"`);
      continue;
    }
    if (/^(?:STYLE|REGION)[ \t]*$/.test(head)) {
      if (cues.length > 0) problems.push(`line ${first + 1}: ${head.trim()} block after the first cue`);
      continue;
    }
    const timingAt = head.includes('-->') ? 0 : 1;
    const timingLine = block[timingAt] ?? '';
    const m = TIMING.exec(timingLine);
    if (!m) {
      problems.push(`line ${first + timingAt + 1}: malformed cue timing "${timingLine}"`);
      continue;
    }
    const [, h1, m1 = '', s1 = '', f1 = '', h2, m2 = '', s2 = '', f2 = '', settings] = m;
    const at = `line ${first + timingAt + 1}`;
    for (const setting of (settings ?? '').split(/[ \t]+/).filter((s) => s !== '')) {
      if (!SETTING.test(setting)) problems.push(`${at}: unknown cue setting "${setting}"`);
    }
    const startMs = toMs(h1, m1, s1, f1);
    const endMs = toMs(h2, m2, s2, f2);
    const payload = block.slice(timingAt + 1);
    if (payload.length === 0) problems.push(`${at}: cue without text`);
    if (payload.some((l) => l.includes('-->'))) problems.push(`${at}: cue text contains "-->"`);
    if (startMs >= endMs) problems.push(`${at}: start is not before end`);
    const previous = cues.at(-1);
    if (previous && startMs <= previous.startMs)
      problems.push(`${at}: start is not after the previous start`);
    if (previous && startMs < previous.endMs) problems.push(`${at}: overlaps the previous cue`);
    if (endMs > durationMs) problems.push(`${at}: ends after the programme's duration`);
    const { text, voice } = payloadText(payload);
    if (text === '') problems.push(`${at}: cue text is empty once tags are removed`);
    cues.push({ index: cues.length + 1, startMs, endMs, text, voice });
  }
  if (cues.length === 0) problems.push('no cues');
  for (const p of problems.slice(0, 5)) fail(`${where}: ${p}`);
  if (problems.length > 5) fail(`${where}: ${problems.length - 5} more problems`);
  return cues;
}

// ---------------------------------------------------------------------------------------------------------
// JSON shapes.

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(join(DIR, file), 'utf8'));
  } catch (e) {
    fail(`${file}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

function toProgramme(v: unknown, at: string): Programme | undefined {
  if (!isRecord(v)) {
    fail(`${at}: not an object`);
    return undefined;
  }
  const { key, label, description, tags, format, codec, duration_s } = v;
  const before = failures.length;
  if (!nonEmpty(key) || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(key))
    fail(`${at}: key must be lower-case-with-dashes`);
  if (!nonEmpty(label)) fail(`${at}: label must be a non-empty string`);
  if (!nonEmpty(description)) fail(`${at}: description must be a non-empty string`);
  else if ((description.match(/[.!?](?:\s|$)/g) ?? []).length > 3)
    fail(`${at}: description is over 3 sentences`);
  if (!isRecord(tags) || !Object.values(tags).every((t) => typeof t === 'string')) {
    fail(`${at}: tags must be an object of strings`);
  } else {
    for (const t of ['genre', 'channel', 'series'])
      if (!nonEmpty(tags[t])) fail(`${at}: tags.${t} is missing`);
  }
  if (!FORMATS.some((f) => f === format)) fail(`${at}: format must be one of ${FORMATS.join(', ')}`);
  if (!nonEmpty(codec) || !/^(?:video|audio)\/[\w.+-]+$/.test(codec))
    fail(`${at}: codec must be a media type`);
  else if (format === FORMATS[1] && !codec.startsWith('audio/'))
    fail(`${at}: an audio flow needs an audio codec`);
  else if (format === FORMATS[0] && !codec.startsWith('video/'))
    fail(`${at}: a video flow needs a video codec`);
  if (typeof duration_s !== 'number' || !(duration_s > 0))
    fail(`${at}: duration_s must be a positive number`);
  return failures.length === before ? (v as unknown as Programme) : undefined;
}

function toQuery(v: unknown, at: string): Query | undefined {
  if (!isRecord(v)) {
    fail(`${at}: not an object`);
    return undefined;
  }
  const { id, q, type, relevant, note } = v;
  const before = failures.length;
  if (!nonEmpty(id) || !/^q\d{3,}$/.test(id)) fail(`${at}: id must look like q001`);
  if (!nonEmpty(q)) fail(`${at}: q must be a non-empty string`);
  if (!QUERY_TYPES.some((t) => t === type)) fail(`${at}: type must be one of ${QUERY_TYPES.join(', ')}`);
  if (note !== undefined && typeof note !== 'string') fail(`${at}: note must be a string`);
  if (!Array.isArray(relevant) || relevant.length === 0) {
    fail(`${at}: relevant must be a non-empty array`);
  } else {
    for (const [n, r] of relevant.entries()) {
      const cueRef = isRecord(r) && nonEmpty(r.programme) && Number.isInteger(r.cue) && Number(r.cue) >= 1;
      const metaRef = isRecord(r) && nonEmpty(r.programme) && r.metadata === true && r.cue === undefined;
      if (!cueRef && !metaRef)
        fail(`${at}: relevant[${n}] must be {programme, cue >= 1} or {programme, metadata: true}`);
    }
  }
  return failures.length === before ? (v as unknown as Query) : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Programmes and transcripts.

const programmes: Programme[] = [];
const programmesJson = readJson('programmes.json');
if (!Array.isArray(programmesJson)) fail('programmes.json: must be an array');
else {
  for (const [n, v] of programmesJson.entries()) {
    const p = toProgramme(v, `programmes[${n}]`);
    if (p) programmes.push(p);
  }
}

const byKey = new Map<string, Programme>();
for (const p of programmes) {
  if (byKey.has(p.key)) fail(`programmes.json: duplicate key ${p.key}`);
  byKey.set(p.key, p);
}

const cuesOf = new Map<string, Cue[]>();
const transcriptDir = join(DIR, 'transcripts');
for (const p of byKey.values()) {
  const file = join(transcriptDir, `${p.key}.vtt`);
  if (!existsSync(file)) {
    fail(`transcripts/${p.key}.vtt: missing`);
    continue;
  }
  cuesOf.set(p.key, parseVtt(readFileSync(file, 'utf8'), `transcripts/${p.key}.vtt`, p.duration_s * 1000));
}
if (existsSync(transcriptDir)) {
  for (const f of readdirSync(transcriptDir)) {
    if (!f.endsWith('.vtt') || !byKey.has(f.slice(0, -4)))
      fail(`transcripts/${f}: no programme has this key`);
  }
}

const cueTerms = new Map<Cue, Set<string>>();
const termsOf = (c: Cue): Set<string> => {
  const known = cueTerms.get(c);
  if (known) return known;
  const t = terms(c.text);
  cueTerms.set(c, t);
  return t;
};
const allCues = [...cuesOf.entries()].flatMap(([key, cues]) => cues.map((cue) => ({ key, cue })));
const cueCount = allCues.length;
if (byKey.size < MINIMUM.programmes) fail(`only ${byKey.size} programmes (minimum ${MINIMUM.programmes})`);
if (cueCount < MINIMUM.cues) fail(`only ${cueCount} cues (minimum ${MINIMUM.cues})`);

// ---------------------------------------------------------------------------------------------------------
// Queries.

const queries: Query[] = [];
const queriesJson = readJson('queries.json');
if (!Array.isArray(queriesJson)) fail('queries.json: must be an array');
else {
  for (const [n, v] of queriesJson.entries()) {
    const q = toQuery(v, `queries[${n}]`);
    if (q) queries.push(q);
  }
}

const ids = new Set<string>();
const byType = new Map<QueryType, number>(QUERY_TYPES.map((t) => [t, 0]));
const info: string[] = [];
let relevantCues = 0;
let relevantProgrammes = 0;
let multiProgramme = 0;

const quoted = (q: string): string[] =>
  [...q.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? '').filter((s) => s.trim());
const prefixes = (q: string): string[] =>
  q
    .split(/\s+/)
    .filter((t) => /^[\p{L}\p{N}]+\*$/u.test(t))
    .map((t) => t.slice(0, -1).normalize('NFKC').toLowerCase());
const hasPrefixes = (c: Cue, pre: string[]): boolean => {
  const ws = words(c.text);
  return pre.every((p) => ws.some((w) => w.startsWith(p)));
};
const hasPhrases = (c: Cue, phrases: string[]): boolean =>
  phrases.every((p) => flat(c.text).includes(flat(p)));

for (const query of queries) {
  const at = `${query.id} (${query.type}) "${query.q}"`;
  if (ids.has(query.id)) fail(`${query.id}: duplicate id`);
  ids.add(query.id);
  byType.set(query.type, (byType.get(query.type) ?? 0) + 1);

  const seen = new Set<string>();
  const cues: { key: string; cue: Cue }[] = [];
  for (const r of query.relevant) {
    const id = 'cue' in r ? `${r.programme}#${r.cue}` : `${r.programme}#metadata`;
    if (seen.has(id)) fail(`${at}: ${id} is listed twice`);
    seen.add(id);
    if (!byKey.has(r.programme)) {
      fail(`${at}: no programme ${r.programme}`);
      continue;
    }
    if ('cue' in r) {
      const cue = cuesOf.get(r.programme)?.[r.cue - 1];
      if (!cue) fail(`${at}: ${r.programme} has no cue ${r.cue}`);
      else cues.push({ key: r.programme, cue });
      relevantCues++;
    } else {
      relevantProgrammes++;
      if (query.type !== 'metadata' && query.type !== 'mixed')
        fail(`${at}: a ${query.type} query lists programmes`);
    }
  }
  if (query.type === 'metadata' && cues.length > 0) fail(`${at}: a metadata query lists cues`);
  if (new Set(query.relevant.map((r) => r.programme)).size > 1) multiProgramme++;

  const qTerms = terms(query.q);
  const shared = (c: Cue): string[] => [...qTerms].filter((t) => termsOf(c).has(t));
  const where = (x: { key: string; cue: Cue }): string => `${x.key}#${x.cue.index} "${x.cue.text}"`;
  switch (query.type) {
    case 'paraphrase':
      for (const x of cues) {
        const voice = x.cue.voice ? terms(x.cue.voice) : new Set<string>();
        const common = [...new Set([...shared(x.cue), ...[...qTerms].filter((t) => voice.has(t))])];
        if (common.length > 0) fail(`${at}: shares [${common.join(', ')}] with ${where(x)}`);
      }
      break;
    case 'keyword':
      if (qTerms.size === 0) fail(`${at}: no content term`);
      else if (!cues.some((x) => shared(x.cue).length > 0)) fail(`${at}: no relevant cue shares a term`);
      break;
    case 'phrase': {
      const phrases = quoted(query.q);
      if (phrases.length === 0) fail(`${at}: no quoted phrase`);
      for (const x of cues) if (!hasPhrases(x.cue, phrases)) fail(`${at}: phrase not in ${where(x)}`);
      // An exact-phrase search is judged by occurrence: every cue with the phrase must be listed.
      const listed = new Set(cues.map((x) => x.cue));
      for (const x of allCues) {
        if (phrases.length > 0 && hasPhrases(x.cue, phrases) && !listed.has(x.cue)) {
          fail(`${at}: unlisted occurrence in ${where(x)}`);
        }
      }
      break;
    }
    case 'prefix': {
      const pre = prefixes(query.q);
      if (pre.length === 0) fail(`${at}: no prefix term (word*)`);
      for (const x of cues)
        if (!hasPrefixes(x.cue, pre)) fail(`${at}: no word starting with ${pre.join('/')} in ${where(x)}`);
      const listed = new Set(cues.map((x) => x.cue));
      const others = allCues.filter((x) => pre.length > 0 && hasPrefixes(x.cue, pre) && !listed.has(x.cue));
      // A bare prefix query is judged by occurrence; with other words too, unlisted matches are shown.
      const bare = query.q.split(/\s+/).every((t) => t.endsWith('*'));
      for (const x of others) {
        if (bare) fail(`${at}: unlisted match ${where(x)}`);
        else info.push(`${query.id}: not judged relevant, matches ${pre.join('/')}: ${where(x)}`);
      }
      break;
    }
    case 'mixed': {
      const phrases = quoted(query.q);
      const pre = prefixes(query.q);
      const lexical = cues.some(
        (x) =>
          shared(x.cue).length > 0 ||
          (phrases.length > 0 && hasPhrases(x.cue, phrases)) ||
          (pre.length > 0 && hasPrefixes(x.cue, pre)),
      );
      if (cues.length > 0 && !lexical) fail(`${at}: no relevant cue matches any part of the query`);
      break;
    }
    case 'metadata': {
      const metaTerms = (p: Programme): Set<string> =>
        terms([p.label, p.description, ...Object.values(p.tags), p.format, p.codec].join(' '));
      const lexical = query.relevant.filter((r) => {
        const p = byKey.get(r.programme);
        return p !== undefined && [...qTerms].some((t) => metaTerms(p).has(t));
      }).length;
      const total = query.relevant.length;
      if (lexical < total) info.push(`${query.id}: ${total - lexical} of ${total} programmes share no term`);
      break;
    }
  }
}

if (queries.length < MINIMUM.queries) fail(`only ${queries.length} queries (minimum ${MINIMUM.queries})`);
for (const t of QUERY_TYPES) {
  const n = byType.get(t) ?? 0;
  if (n < MINIMUM_BY_TYPE[t]) fail(`only ${n} ${t} queries (minimum ${MINIMUM_BY_TYPE[t]})`);
}

// ---------------------------------------------------------------------------------------------------------
// Summary.

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: number[]): number => sorted(xs)[Math.floor(xs.length / 2)] ?? 0;
const cueWords = allCues.map((x) => words(x.cue.text).length);
const cueSeconds = allCues.map((x) => (x.cue.endMs - x.cue.startMs) / 1000);
const perProgramme = [...cuesOf.values()].map((c) => c.length);
const count = <T>(xs: T[]): string =>
  [...xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<T, number>())]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${String(k)} ${n}`)
    .join(', ');
const pct = (n: number, d: number): string => `${d === 0 ? 0 : Math.round((100 * n) / d)}%`;

const formats = count(programmes.map((p) => p.format.split(':').at(-1)));
const genres = programmes.map((p) => p.tags.genre);
const voiced = allCues.filter((x) => x.cue.voice).length;
const typical = cueWords.filter((w) => w >= 5 && w <= 20).length;
const timed = cueSeconds.filter((s) => s >= 2 && s <= 7).length;
const perQuery = queries.length ? (relevantCues + relevantProgrammes) / queries.length : 0;
const out = [
  `programmes: ${byKey.size} (${formats}), ${new Set(genres).size} genres`,
  `  genres: ${count(genres)}`,
  `  codecs: ${count(programmes.map((p) => p.codec))}`,
  `cues: ${cueCount}, per programme ${Math.min(...perProgramme)}-${Math.max(...perProgramme)} ` +
    `(median ${median(perProgramme)}), with a voice tag ${pct(voiced, cueCount)}`,
  `  words per cue: median ${median(cueWords)}, 5-20 words ${pct(typical, cueCount)}`,
  `  seconds per cue: median ${median(cueSeconds)}, 2-7 s ${pct(timed, cueCount)}`,
  `queries: ${queries.length} (${QUERY_TYPES.map((t) => `${t} ${byType.get(t) ?? 0}`).join(', ')})`,
  `  relevant: ${relevantCues} cues, ${relevantProgrammes} programmes; ${perQuery.toFixed(2)} per query; ` +
    `${multiProgramme} queries span several programmes`,
];
if (process.argv.includes('--verbose')) out.push(...info.map((s) => `  info ${s}`));
else if (info.length > 0)
  out.push(
    `  ${info.length} notes (prefix matches not judged relevant, metadata queries by meaning): --verbose`,
  );
process.stdout.write(`${out.join('\n')}\n`);
if (failures.length > 0) {
  process.stdout.write(`\n${failures.length} failures:\n${failures.map((f) => `  ${f}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('search-eval: OK\n');
