/**
 * Segments and object instances (TAMS 8.2, ADR 0038): a segment's `get_urls` belong to its object.
 * Registering a segment with `get_urls` (either version) adds them to its object as uncontrolled
 * instances; a segment read gets its object's instances: the copies the server made, then the
 * clients' URLs.
 */
import type { InstanceRecord } from '../store/objects/instances.types.ts';
import type { SegmentRecord, SegmentUrl } from '../store/segments.repo.ts';
import type { RegistrationVersion } from './segments.objects.ts';
import { SegmentRejection } from './segments.register.ts';
import type { PageSegment, SegmentStorage } from './segments.urls.ts';

/** What an object's instances add to its `get_urls`: ready copies, and the clients' URLs. */
export interface InstanceUrls {
  copies?: SegmentStorage[];
  get_urls?: SegmentUrl[];
}

/** The instances of an object as its `get_urls` have them: copies not ready yet are left out. */
export function instanceUrls(instances: readonly InstanceRecord[]): InstanceUrls {
  const copies: SegmentStorage[] = [];
  const clients: SegmentUrl[] = [];
  for (const i of instances) {
    if (i.controlled) {
      if (i.state !== 'ready' || i.storage_id === undefined || i.storage_path === undefined) continue;
      copies.push({ id: i.storage_id, path: i.storage_path });
    } else if (i.url !== undefined) {
      clients.push(i.label === undefined ? { url: i.url } : { url: i.url, label: i.label });
    }
  }
  const urls: InstanceUrls = {};
  if (copies.length > 0) urls.copies = copies;
  if (clients.length > 0) urls.get_urls = clients;
  return urls;
}

/**
 * The segments of a page as GetUrlBuilder.buildMany takes them, each with its object's instances
 * (`found`, by object): the segments themselves where no object of the page has any.
 */
export function withInstances(
  segments: readonly (PageSegment & { object_id: string })[],
  found: ReadonlyMap<string, readonly InstanceRecord[]>,
): readonly PageSegment[] {
  if (found.size === 0) return segments;
  const byObject = new Map<string, InstanceUrls>();
  for (const [id, list] of found) byObject.set(id, instanceUrls(list));
  return segments.map((s) => {
    const urls = byObject.get(s.object_id);
    return urls === undefined ? s : { storage: s.storage, ...urls };
  });
}

const urlKey = (label: string | undefined, url: string) => `${label ?? ''}\n${url}`;

/** One object's instances as a registration batch sees them: those stored, then its own. */
interface ObjectUrls {
  /** url + label of every uncontrolled instance. */
  keys: Set<string>;
  /** label -> its URL (8.2 keeps one URL per label). */
  labels: Map<string, string>;
  count: number;
}

/**
 * The uncontrolled instances a registration batch adds from its segments' `get_urls`. A URL the
 * object has already under the same label (or none, both ways) adds nothing. 8.2 refuses a
 * segment whose `get_urls` repeat a label, or give a label the object has for another URL (a
 * label identifies an instance: DELETE /objects/{id}/instances?label=); 7.0 never named an
 * instance by its label, so a 7.0 registration adds such a URL beside the other.
 */
export class NewInstances {
  private readonly objects = new Map<string, ObjectUrls>();
  private readonly added: InstanceRecord[] = [];
  private readonly addedBy = new Map<string, InstanceRecord[]>();

  constructor(
    private readonly stored: ReadonlyMap<string, readonly InstanceRecord[]>,
    private readonly now: Date,
  ) {}

  /**
   * The URLs of `segment` its object lacks, in order; throws a SegmentRejection where 8.2 refuses
   * them. Records nothing: `add` does, once the segment is accepted.
   */
  check(version: RegistrationVersion, segment: SegmentRecord): SegmentUrl[] {
    const urls = segment.get_urls ?? [];
    if (urls.length === 0) return [];
    const known = this.of(segment.object_id);
    const fresh: SegmentUrl[] = [];
    const seen = new Set<string>();
    const labels = new Set<string>();
    for (const u of urls) {
      if (version === '8.2' && u.label !== undefined) {
        if (labels.has(u.label)) {
          throw new SegmentRejection(`get_urls has label ${JSON.stringify(u.label)} more than once`);
        }
        labels.add(u.label);
        const other = known.labels.get(u.label);
        if (other !== undefined && other !== u.url) {
          throw new SegmentRejection(
            `get_urls label ${JSON.stringify(u.label)} names another URL of object ${segment.object_id} already: a label identifies one instance (DELETE /objects/{objectId}/instances?label= removes it)`,
          );
        }
      }
      const key = urlKey(u.label, u.url);
      if (known.keys.has(key) || seen.has(key)) continue;
      seen.add(key);
      fresh.push(u);
    }
    return fresh;
  }

  /** Records the URLs `check` gave for an accepted segment. */
  add(objectId: string, urls: readonly SegmentUrl[]): void {
    if (urls.length === 0) return;
    const known = this.of(objectId);
    for (const u of urls) {
      known.keys.add(urlKey(u.label, u.url));
      if (u.label !== undefined && !known.labels.has(u.label)) known.labels.set(u.label, u.url);
      const record: InstanceRecord = {
        object_id: objectId,
        controlled: false,
        url: u.url,
        state: 'ready',
        created: this.now,
        // After the object's instances so far, when written in the same millisecond.
        pos: known.count++,
      };
      if (u.label !== undefined) record.label = u.label;
      this.added.push(record);
      const mine = this.addedBy.get(objectId);
      if (mine) mine.push(record);
      else this.addedBy.set(objectId, [record]);
    }
  }

  /** The instances to insert. */
  records(): InstanceRecord[] {
    return this.added;
  }

  /**
   * An object's instances once the batch's own are added (those read, then the new ones), as
   * its segments' get_urls then list them (the events of the registration say the same).
   */
  all(objectId: string): readonly InstanceRecord[] {
    const stored = this.stored.get(objectId) ?? [];
    const mine = this.addedBy.get(objectId);
    return mine === undefined ? stored : [...stored, ...mine];
  }

  private of(objectId: string): ObjectUrls {
    let known = this.objects.get(objectId);
    if (known === undefined) {
      known = { keys: new Set(), labels: new Map(), count: 0 };
      for (const i of this.stored.get(objectId) ?? []) {
        known.count = Math.max(known.count, i.pos + 1);
        if (i.controlled || i.url === undefined) continue;
        known.keys.add(urlKey(i.label, i.url));
        if (i.label !== undefined && !known.labels.has(i.label)) known.labels.set(i.label, i.url);
      }
      this.objects.set(objectId, known);
    }
    return known;
  }
}
