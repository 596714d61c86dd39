/**
 * Search quality on the labelled evaluation set (bench/search-eval: programmes with WebVTT
 * transcripts and queries with the cues a person judged relevant): recall@10 and mean
 * reciprocal rank per mode, overall and per kind of query.
 */
import { parseWebVtt } from '../src/search/timedtext/webvtt.parse.ts';
import { TimeRange } from '../src/time/index.ts';
import type { Figure } from './bench.report.ts';
import {
  type Client,
  call,
  type IngestedProgramme,
  ingestProgramme,
  type Programme,
  readEval,
  readTranscript,
  waitIndexed,
} from './search.client.ts';

interface Query {
  id: string;
  q: string;
  type: string;
  relevant: ({ programme: string; cue: number } | { programme: string; metadata: true })[];
}

interface Hit {
  kind: string;
  flow_id?: string;
  source_id?: string;
  timerange?: string;
}

export const MODES = ['keyword', 'semantic', 'hybrid'] as const;
export type Mode = (typeof MODES)[number];

export interface Scores {
  recall: number;
  mrr: number;
  queries: number;
}

export interface EvalResult {
  /** By mode, then by query type ('all' for every query). */
  scores: Record<Mode, Record<string, Scores>>;
  programmes: number;
  cues: number;
  queries: number;
  figures: Figure[];
  /** The issue's two conditions, each with whether it holds. */
  checks: { name: string; ok: boolean }[];
}

const K = 10;

export async function runSearchEval(client: Client, log: (line: string) => void): Promise<EvalResult> {
  const programmes = readEval<Programme[]>('programmes.json');
  const queries = readEval<Query[]>('queries.json');
  const items = new Map<string, string>();
  let cues = 0;
  const started = performance.now();
  for (const p of programmes) {
    const vtt = readTranscript(p.key);
    const ingested: IngestedProgramme = await ingestProgramme(client, p, vtt);
    items.set(`flow:${ingested.flow}`, `${p.key}#meta`);
    items.set(`source:${ingested.source}`, `${p.key}#meta`);
    parseWebVtt(vtt).cues.forEach((cue, i) => {
      const range = TimeRange.from(cue.start, cue.end, { endInclusive: false }).format();
      items.set(`cue:${ingested.flow}:${range}`, `${p.key}#${i + 1}`);
      cues++;
    });
  }
  await waitIndexed(client);
  log(
    `  evaluation set: ${programmes.length} programmes, ${cues} cues, ${queries.length} queries, indexed in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  const itemOf = (hit: Hit): string | undefined => {
    if (hit.kind === 'caption' || hit.kind === 'transcript')
      return items.get(`cue:${hit.flow_id}:${hit.timerange}`);
    if (hit.kind === 'flow') return items.get(`flow:${hit.flow_id}`);
    return items.get(`source:${hit.source_id}`);
  };
  const totals = new Map<string, { recall: number; rr: number; n: number }>();
  const add = (mode: string, type: string, recall: number, rr: number) => {
    for (const key of [`${mode}|${type}`, `${mode}|all`]) {
      const t = totals.get(key) ?? { recall: 0, rr: 0, n: 0 };
      t.recall += recall;
      t.rr += rr;
      t.n++;
      totals.set(key, t);
    }
  };
  for (const query of queries) {
    const relevant = new Set(
      query.relevant.map((r) => ('metadata' in r ? `${r.programme}#meta` : `${r.programme}#${r.cue}`)),
    );
    for (const mode of MODES) {
      const params = new URLSearchParams({ q: query.q, mode, limit: String(K) });
      const res = await call<{ hits: Hit[] }>(client, 'GET', `/search?${params}`);
      if (res.status !== 200)
        throw new Error(`search ${query.id} (${mode}): ${res.status} ${JSON.stringify(res.body)}`);
      const ranked = res.body.hits.map(itemOf);
      // A programme's metadata matched by several of its Flows counts once, at its best rank.
      const seen = new Set<string>();
      let found = 0;
      let rr = 0;
      ranked.forEach((item, i) => {
        if (item === undefined || seen.has(item)) return;
        seen.add(item);
        if (!relevant.has(item)) return;
        found++;
        if (rr === 0) rr = 1 / (i + 1);
      });
      add(mode, query.type, found / relevant.size, rr);
    }
  }
  const types = [...new Set(queries.map((q) => q.type))].sort();
  const scores = {} as Record<Mode, Record<string, Scores>>;
  for (const mode of MODES) {
    scores[mode] = {};
    for (const type of ['all', ...types]) {
      const t = totals.get(`${mode}|${type}`);
      if (t) scores[mode][type] = { recall: t.recall / t.n, mrr: t.rr / t.n, queries: t.n };
    }
  }
  log('');
  log(
    `  ${'queries'.padEnd(12)} ${'n'.padStart(4)}  ${MODES.map((m) => `${m} R@10 / MRR`.padStart(24)).join('')}`,
  );
  for (const type of ['all', ...types]) {
    const n = scores.keyword[type]?.queries ?? 0;
    const cells = MODES.map((m) => {
      const s = scores[m][type];
      return s ? `${s.recall.toFixed(3)} / ${s.mrr.toFixed(3)}`.padStart(24) : ''.padStart(24);
    });
    log(`  ${type.padEnd(12)} ${String(n).padStart(4)}  ${cells.join('')}`);
  }
  const para = (m: Mode) => scores[m].paraphrase ?? { recall: 0, mrr: 0, queries: 0 };
  const all = (m: Mode) => scores[m].all ?? { recall: 0, mrr: 0, queries: 0 };
  const checks = [
    {
      name: 'semantic beats keyword on paraphrase queries (recall@10 and MRR)',
      ok: para('semantic').recall > para('keyword').recall && para('semantic').mrr > para('keyword').mrr,
    },
    {
      name: 'hybrid at least as good as the better of keyword and semantic overall (recall@10 and MRR)',
      ok:
        all('hybrid').recall >= Math.max(all('keyword').recall, all('semantic').recall) &&
        all('hybrid').mrr >= Math.max(all('keyword').mrr, all('semantic').mrr),
    },
  ];
  log('');
  for (const c of checks) log(`  ${c.ok ? 'met' : 'MISSED'}: ${c.name}`);
  const figures: Figure[] = MODES.flatMap((m) => [
    { name: `search eval ${m}: recall@10`, value: all(m).recall, unit: '', digits: 3 },
    { name: `search eval ${m}: MRR`, value: all(m).mrr, unit: '', digits: 3 },
    { name: `search eval ${m}: paraphrase recall@10`, value: para(m).recall, unit: '', digits: 3 },
  ]);
  return { scores, programmes: programmes.length, cues, queries: queries.length, figures, checks };
}
