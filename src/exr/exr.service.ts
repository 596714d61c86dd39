import { createHash } from 'node:crypto';
import type { Clock } from '../common/clock.ts';
import { BadRequestError, NotFoundError } from '../common/errors.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import type { TamsStore } from '../store/store.ts';
import { fileDetail, fileDoc } from './exr.documents.ts';
import { frameFromName } from './exr.frames.ts';
import { normalizePath } from './exr.identity.ts';
import { type Inspected, inspectBytes, inspectObject } from './exr.inspect.ts';
import { exrStats, nearestFiles } from './exr.scan.ts';
import type { FileDetail, FileDoc, SimilarDoc, StatsDoc } from './exr.schemas.ts';
import { currentFile, recordInspected } from './follow/exr.record.ts';
import type { ExrFileFilters, ExrFileRecord, ExrFrameRecord } from './store/exr.records.ts';
import { exrRepos } from './store/exr.repos.ts';

export interface ExrServiceDeps {
  store: TamsStore;
  media: MediaRegistry;
  clock: Clock;
  /** After an on-demand inspection is recorded. */
  inspected?: () => void;
}

export interface FileListOptions extends ExrFileFilters {
  flowId?: string;
  /** The cursor of a page key (a file id, or a segment start with flowId). */
  after?: string;
  limit: number;
}

const FRAMES_IN_DETAIL = 100;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The EXR catalogue's queries and on-demand inspection (GET/POST /exr/...). */
export class ExrService {
  constructor(private readonly deps: ExrServiceDeps) {}

  /** A page of files, or of a Flow's frames; `next`: the cursor of the next page. */
  async list(options: FileListOptions): Promise<{ items: FileDoc[]; next?: string }> {
    const { store } = this.deps;
    const filters: ExrFileFilters = {
      ...options,
      ...(options.compression !== undefined && { compression: options.compression.toUpperCase() }),
    };
    if (options.flowId === undefined) {
      const page = await exrRepos(store).files.page(filters, options.after, options.limit);
      return { items: await this.withParts(page.items), ...(page.next !== undefined && { next: page.next }) };
    }
    const flow = await store.flows.get(options.flowId);
    if (flow === null) throw new NotFoundError(`The Flow ${options.flowId} does not exist.`);
    const range = flow.timerange;
    const timeline = { first: range.start ?? INT64_MIN, last: range.end ?? INT64_MAX };
    const after = options.after === undefined ? undefined : BigInt(options.after);
    const page = await exrRepos(store).frames.page(flow.id, filters, timeline, after, options.limit);
    const files = await exrRepos(store).files.byIds(
      page.items.flatMap((f) => (f.file_id ? [f.file_id] : [])),
    );
    const items = await this.withParts(
      page.items.flatMap((frame) => {
        const file = frame.file_id === undefined ? undefined : files.get(frame.file_id);
        return file === undefined ? [] : [{ file, frame }];
      }),
    );
    return { items, ...(page.next !== undefined && { next: page.next.toString() }) };
  }

  async get(id: string): Promise<FileDetail> {
    const file = await exrRepos(this.deps.store).files.get(id);
    if (file === null) throw new NotFoundError(`No EXR file ${id}.`);
    return this.detail(file);
  }

  /** The file of an object, or at a path (the inspected one when there are several). */
  async lookup(query: { object_id?: string; path?: string }): Promise<FileDetail> {
    const { files } = exrRepos(this.deps.store);
    if ((query.object_id === undefined) === (query.path === undefined)) {
      throw new BadRequestError('query: give one of object_id and path');
    }
    let found: ExrFileRecord | undefined;
    if (query.object_id !== undefined) {
      found = currentFile((await files.byObjects([query.object_id])).get(query.object_id) ?? []);
    } else if (query.path !== undefined) {
      const rows = await files.byPath(query.path);
      found = currentFile(rows.length > 0 ? rows : await files.byNormalizedPath(normalizePath(query.path)));
    }
    if (found === undefined) throw new NotFoundError('No EXR file was recorded for that object or path.');
    return this.detail(found);
  }

  async stats(flowId?: string): Promise<StatsDoc> {
    if (flowId !== undefined && (await this.deps.store.flows.get(flowId)) === null) {
      throw new NotFoundError(`The Flow ${flowId} does not exist.`);
    }
    return exrStats(this.deps.store, flowId);
  }

  /** The files whose metadata vectors are nearest the file's (itself left out). */
  async similar(id: string, limit: number): Promise<SimilarDoc> {
    const { store } = this.deps;
    const file = await exrRepos(store).files.get(id);
    if (file === null) throw new NotFoundError(`No EXR file ${id}.`);
    if (file.metadata_vector === undefined) {
      throw new BadRequestError(
        `The file ${id} has no metadata vector (it failed, or another tool wrote it).`,
      );
    }
    const nearest = await nearestFiles(store, file, limit);
    const docs = await this.withParts(nearest.map((n) => n.file));
    return docs.map((doc, i) => ({ score: nearest[i]?.score ?? 0, file: doc }));
  }

  /** Inspects a media object of the store now, and records what was found. */
  async inspectObject(objectId: string): Promise<FileDetail> {
    const { store, media, clock } = this.deps;
    const object = await store.objects.get(objectId);
    if (object === null) throw new NotFoundError(`The media object ${objectId} does not exist.`);
    const path = object.storage_path;
    const [placed] = await exrRepos(store).frames.ofObject(objectId, 1);
    const named = frameFromName(objectId, path);
    const frame =
      named !== undefined
        ? { number: named, source: 'name' as const }
        : placed?.frame_number !== undefined && placed.frame_source !== undefined
          ? { number: placed.frame_number, source: placed.frame_source }
          : undefined;
    const result = await inspectObject(
      media,
      {
        objectId,
        ...(object.storage_id !== undefined &&
          path !== undefined && { storage: { id: object.storage_id, path } }),
        ...(frame !== undefined && { frame }),
      },
      clock.now().toISOString(),
    );
    return this.record(result, `the media object ${objectId}`);
  }

  /** Inspects posted bytes (a file, or its start with `size`) and records them under `path`. */
  async inspectBytes(bytes: Uint8Array, options: { path?: string; size?: number }): Promise<FileDetail> {
    if (options.size !== undefined && options.size < bytes.length) {
      throw new BadRequestError(`query.size (${options.size}) is less than the ${bytes.length} bytes posted`);
    }
    const path =
      options.path ?? `upload/${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}.exr`;
    const named = frameFromName(path);
    const result = inspectBytes(bytes, {
      path,
      now: this.deps.clock.now().toISOString(),
      ...(options.size !== undefined && { size: options.size }),
      ...(named !== undefined && { frame: { number: named, source: 'name' as const } }),
    });
    // A failed upload is the client's error: answered, not recorded.
    if (!result.ok) throw failure(result.failure, 'the posted bytes');
    return this.record(result, path);
  }

  private async record(result: Inspected, what: string): Promise<FileDetail> {
    const file = await this.deps.store.transaction((tx) => recordInspected(tx, result));
    this.deps.inspected?.();
    if (!result.ok) throw failure(result.failure, what);
    return this.detail(file);
  }

  private async detail(file: ExrFileRecord): Promise<FileDetail> {
    const exr = exrRepos(this.deps.store);
    const [parts, channels, attributes, frames] = await Promise.all([
      exr.children.parts([file.file_id]),
      exr.children.channels([file.file_id]),
      exr.children.attributes(file.file_id),
      file.object_id === undefined ? [] : exr.frames.ofObject(file.object_id, FRAMES_IN_DETAIL),
    ]);
    return fileDetail(file, parts, channels, attributes, frames);
  }

  /** Documents of files with their parts and channels (two reads for the whole page). */
  private async withParts(
    items: readonly (ExrFileRecord | { file: ExrFileRecord; frame?: ExrFrameRecord })[],
  ): Promise<FileDoc[]> {
    const entries = items.map((i) => ('file' in i ? i : { file: i, frame: undefined }));
    const ids = [...new Set(entries.map((e) => e.file.file_id))];
    const { children } = exrRepos(this.deps.store);
    const [parts, channels] = await Promise.all([children.parts(ids), children.channels(ids)]);
    return entries.map(({ file, frame }) =>
      fileDoc(
        file,
        parts.filter((p) => p.file_id === file.file_id),
        channels.filter((c) => c.file_id === file.file_id),
        frame,
      ),
    );
  }
}

function failure(file: ExrFileRecord, what: string): BadRequestError {
  return new BadRequestError(
    `${what} could not be inspected as OpenEXR: ${file.error_code ?? 'FAILED'}: ${file.error_message ?? ''}`,
  );
}
