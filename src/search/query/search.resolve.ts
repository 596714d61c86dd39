import type { StoreSession } from '../../store/store.ts';
import type { FlowRecord, SourceRecord } from '../../store/store.types.ts';
import { TimeRange } from '../../time/index.ts';
import type { HitDoc } from '../store/search.docs.repo.ts';
import { searchRepos } from '../store/search.repos.ts';
import { coveredMoments, momentKey } from './search.coverage.ts';

/** A document that still points at media: the Flow (or Source) a hit plays from, and when. */
export interface Resolved {
  doc: HitDoc;
  /** The Flow the hit plays from (absent for Sources). */
  flow?: FlowRecord;
  source?: SourceRecord;
  source_id?: string;
  /** The moment (timed documents), or the Flow's timerange (a Flow's metadata). */
  timerange?: TimeRange;
  /** A caption's data Flow, when the hit plays from another Flow. */
  text_flow_id?: string;
}

const FORMAT_ORDER = ['urn:x-nmos:format:video', 'urn:x-nmos:format:audio', 'urn:x-nmos:format:multi'];

/**
 * Turns documents into hits, dropping those that no longer point at media (documents the
 * indexer has not caught up with yet): a Flow or Source deleted, a transcript no longer ACTIVE,
 * a moment whose media is gone. A caption plays from the Flows its data Flow is collected with
 * (the video of a multi-essence Flow collecting both; else its audio, else the multi Flow itself):
 * the first of these with a segment at the cue's time, or none (the picture or sound of that
 * moment is gone). A data Flow nothing collects plays as itself. The order of `docs` is kept.
 */
export async function resolveDocs(store: StoreSession, docs: readonly HitDoc[]): Promise<Resolved[]> {
  const flows = new Map<string, FlowRecord>();
  const wantFlows = async (ids: Iterable<string>) => {
    const missing = [...new Set(ids)].filter((id) => !flows.has(id));
    if (missing.length === 0) return;
    for (const f of await store.flows.getMany(missing)) flows.set(f.id, f);
  };
  await wantFlows(docs.flatMap((d) => (d.flow_id !== undefined ? [d.flow_id] : [])));
  // The Flows collecting each caption's data Flow, then the Flows they collect.
  const captionFlows = docs.filter((d) => d.kind === 'caption').map((d) => flows.get(d.flow_id ?? ''));
  const collectors = captionFlows.flatMap((f) => f?.collected_by ?? []);
  await wantFlows(collectors);
  await wantFlows(collectors.flatMap((id) => flows.get(id)?.flow_collection?.map((c) => c.id) ?? []));

  const transcripts = await searchRepos(store).transcripts.statuses([
    ...new Set(docs.flatMap((d) => (d.kind === 'transcript' && d.transcript_id ? [d.transcript_id] : []))),
  ]);
  const sources = new Map(
    (
      await store.sources.getMany([
        ...new Set(docs.filter((d) => d.kind === 'source').map((d) => d.source_id ?? '')),
      ])
    ).map((s) => [s.id, s]),
  );

  // Candidate Flows of each timed document, best first; their coverage read at once.
  const candidates = docs.map((d) => playableFrom(d, flows));
  const moments = docs.flatMap((d, i) =>
    d.time_start !== undefined && d.time_end !== undefined
      ? (candidates[i] ?? []).map((f) => ({
          flowId: f.id,
          start: d.time_start as bigint,
          end: d.time_end as bigint,
        }))
      : [],
  );
  const covered = await coveredMoments(store, moments);

  const out: Resolved[] = [];
  docs.forEach((doc, i) => {
    switch (doc.kind) {
      case 'source': {
        const source = sources.get(doc.source_id ?? '');
        if (source) out.push({ doc, source, source_id: source.id });
        return;
      }
      case 'flow': {
        const flow = flows.get(doc.flow_id ?? '');
        if (flow) {
          out.push({
            doc,
            flow,
            source_id: flow.source_id,
            ...(!flow.timerange.isEmpty() && { timerange: flow.timerange }),
          });
        }
        return;
      }
      case 'transcript':
        if (transcripts.get(doc.transcript_id ?? '') !== 'ACTIVE') return;
        break;
      case 'caption':
        break;
    }
    const start = doc.time_start;
    const end = doc.time_end;
    if (start === undefined || end === undefined) return;
    const flow = (candidates[i] ?? []).find((f) => covered.has(momentKey({ flowId: f.id, start, end })));
    if (flow === undefined) return;
    out.push({
      doc,
      flow,
      source_id: flow.source_id,
      timerange: TimeRange.from(start, end, { endInclusive: false }),
      ...(doc.kind === 'caption' && flow.id !== doc.flow_id && { text_flow_id: doc.flow_id }),
    });
  });
  return out;
}

/** The Flows a timed document may play from, best first. */
function playableFrom(doc: HitDoc, flows: ReadonlyMap<string, FlowRecord>): FlowRecord[] {
  const own = flows.get(doc.flow_id ?? '');
  if (own === undefined) return [];
  if (doc.kind !== 'caption') return [own];
  const siblings: FlowRecord[] = [];
  const multis: FlowRecord[] = [];
  for (const collectorId of own.collected_by) {
    const collector = flows.get(collectorId);
    if (collector === undefined) continue;
    multis.push(collector);
    for (const item of collector.flow_collection ?? []) {
      const f = flows.get(item.id);
      if (f !== undefined && f.id !== own.id) siblings.push(f);
    }
  }
  const rank = (f: FlowRecord) => {
    const r = FORMAT_ORDER.indexOf(f.format);
    return r < 0 ? FORMAT_ORDER.length : r;
  };
  const ordered = [
    ...siblings.filter((f) => rank(f) < 2).sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : 1)),
    ...multis,
  ];
  // Words with picture or sound play from those; only text nobody collects plays as itself.
  return ordered.length > 0 ? [...new Map(ordered.map((f) => [f.id, f])).values()] : [own];
}
