import { type Static, Type } from 'typebox';
import { DateTime, describe, TimeRange, Uuid } from '../http/common.schemas.ts';
import { PagingQuery } from '../http/paging.ts';

/**
 * The EXR metadata API (beyond TAMS 7.0): files as the catalogue holds them, their parts,
 * channels and attributes, and the query parameters that select them.
 */

/** File ids: this server's are 32 hex digits; rows written by exr-inspector keep theirs. */
export const FileId = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$', description: 'A file id.' });
const ObjectId = Type.String({ minLength: 1, maxLength: 1024, description: 'A TAMS media object id.' });

/**
 * The most bytes a size parameter may name: sizes are int64 columns read as exact JS numbers, and
 * no file is larger (a larger number answers 400, not a query the store refuses).
 */
const MAX_BYTES = Number.MAX_SAFE_INTEGER;

export const FileListQuery = Type.Object({
  flow_id: Type.Optional(
    describe(
      Uuid,
      "The frames of this Flow, in timeline order: one item per segment, with the frame's `frame` (where it sits) and the file of its object.",
    ),
  ),
  path_prefix: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 1024,
      description:
        "Files whose path (the object's key in its storage backend, or the posted path) starts so.",
    }),
  ),
  compression: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9]{1,16}$',
      description:
        'Files with a part of this compression (NONE, RLE, ZIPS, ZIP, PIZ, PXR24, B44, B44A, DWAA, DWAB, HTJ2K256, HTJ2K32, LJ2K, ZSTD; any case).',
    }),
  ),
  channel: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'Files with a channel of this exact name (`R`, `diffuse.R`).',
    }),
  ),
  min_size: Type.Optional(
    Type.Integer({ minimum: 0, maximum: MAX_BYTES, description: 'Files of at least this many bytes.' }),
  ),
  max_size: Type.Optional(
    Type.Integer({ minimum: 0, maximum: MAX_BYTES, description: 'Files of at most this many bytes.' }),
  ),
  parts: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 4096, description: 'Files of exactly this many parts.' }),
  ),
  deep: Type.Optional(Type.Boolean({ description: 'Deep files only (true), or flat files only (false).' })),
  frame_min: Type.Optional(
    Type.Integer({
      minimum: -2147483647,
      maximum: 2147483647,
      description:
        "Frames numbered at least this. With flow_id, the frame's number in that Flow; without, the file's (from its name, else from where the first Flow that registered it placed it). See docs/exr.md, section Frame numbers.",
    }),
  ),
  frame_max: Type.Optional(
    Type.Integer({ minimum: -2147483647, maximum: 2147483647, description: 'Frames numbered at most this.' }),
  ),
  status: Type.Optional(
    Type.Enum(['inspected', 'failed', 'all'], {
      description: 'inspected (default), failed (objects whose bytes were missing or not OpenEXR), or all.',
    }),
  ),
  include_removed: Type.Optional(
    Type.Boolean({
      description:
        'Without flow_id: also files whose objects no Flow uses any more (they are marked `removed`).',
    }),
  ),
  ...PagingQuery,
});
export type FileListQuery = Static<typeof FileListQuery>;

export const FileParams = Type.Object({ id: FileId });

export const LookupQuery = Type.Object({
  object_id: Type.Optional(ObjectId),
  // 1,024 as S3 bounds object keys. Percent-encoded, a path and an object id of that length can
  // pass Node's 16 KiB limit on a request's head, answered 431 before this schema is read (the
  // route documents it).
  path: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 1024,
      description:
        "A file's path: an object's key in its storage backend, or the path given with posted bytes.",
    }),
  ),
});

export const SimilarQuery = Type.Object({
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, description: 'How many files (default 10).' }),
  ),
});

export const StatsQuery = Type.Object({
  flow_id: Type.Optional(describe(Uuid, "Only this Flow's frames.")),
});

export const InspectQuery = Type.Object({
  path: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 1024,
      description:
        "Posted bytes: the file's path (its identity in the catalogue, with its header: the same path and header are the same file). Default `upload/<sha256 of the bytes>.exr`.",
    }),
  ),
  size: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: MAX_BYTES,
      description:
        "Posted bytes: the whole file's size, when only its start is posted (the header is all that is read; its bytes must all be there).",
    }),
  ),
});

export const InspectObjectBody = Type.Object(
  { object_id: ObjectId },
  { additionalProperties: false, description: 'Inspect a media object of this store by its id.' },
);

const Box = Type.Object({
  xMin: Type.Integer(),
  yMin: Type.Integer(),
  xMax: Type.Integer(),
  yMax: Type.Integer(),
});

export const ChannelDoc = Type.Object({
  name: Type.String(),
  layer: Type.String({
    description: 'The name before the last dot (`diffuse` of `diffuse.R`); empty for none.',
  }),
  component: Type.String({ description: 'The name after the last dot.' }),
  pixel_type: Type.String({ description: 'HALF, FLOAT or UINT (an unknown type: its number).' }),
  x_sampling: Type.Integer(),
  y_sampling: Type.Integer(),
  p_linear: Type.Boolean(),
});

export const AttributeDoc = Type.Object({
  name: Type.String(),
  type: Type.String({ description: 'The type name in the file (`string`, `box2i`, `chlist`, ...).' }),
  size: Type.Integer({ description: "The value's size in bytes." }),
  offset: Type.Integer({ description: "Where the attribute's name starts in the file." }),
  value: Type.Unknown({
    description: 'The decoded value (src/exr/parser/exr.types.ts: ExrAttributeValues).',
  }),
});

export const PartDoc = Type.Object({
  index: Type.Integer(),
  name: Type.Optional(Type.String()),
  type: Type.String({ description: 'scanlineimage, tiledimage, deepscanline, deeptile (or unknown).' }),
  view: Type.Optional(Type.String()),
  multi_view: Type.Boolean({ description: 'The part declares its views (`multiView`).' }),
  width: Type.Optional(Type.Integer({ description: "The data window's width." })),
  height: Type.Optional(Type.Integer()),
  display_width: Type.Optional(Type.Integer()),
  display_height: Type.Optional(Type.Integer()),
  data_window: Type.Optional(Box),
  display_window: Type.Optional(Box),
  compression: Type.Optional(Type.String()),
  line_order: Type.Optional(Type.String()),
  pixel_aspect_ratio: Type.Optional(Type.Number()),
  tiled: Type.Boolean(),
  tiles: Type.Optional(
    Type.Object({
      width: Type.Integer(),
      height: Type.Integer(),
      level_mode: Type.Optional(Type.String()),
      rounding_mode: Type.Optional(Type.String()),
    }),
  ),
  deep: Type.Boolean(),
  chunk_count: Type.Optional(Type.Integer()),
  color_space: Type.Optional(Type.String()),
  software: Type.Optional(Type.String()),
  missing_required: Type.Array(Type.String(), { description: 'Required attributes the part lacks.' }),
  channels: Type.Array(ChannelDoc),
  attributes: Type.Optional(
    Type.Array(AttributeDoc, { description: 'In file order (GET /exr/files/{id}).' }),
  ),
});

export const FrameDoc = Type.Object({
  flow_id: Uuid,
  object_id: Type.String(),
  timerange: describe(TimeRange, "The segment's timerange."),
  frame_number: Type.Optional(Type.Integer()),
  frame_source: Type.Optional(Type.Enum(['name', 'timeline'])),
});

const fileFields = {
  id: FileId,
  status: Type.Enum(['inspected', 'failed']),
  error: Type.Optional(
    Type.Object(
      { code: Type.String(), message: Type.String() },
      {
        description:
          "Why a file failed: MISSING, NO_STORAGE, or the parser's code (BAD_MAGIC, TRUNCATED, ...).",
      },
    ),
  ),
  object_id: Type.Optional(Type.String()),
  storage_id: Type.Optional(Type.String()),
  path: Type.String(),
  size_bytes: Type.Optional(Type.Integer()),
  mtime: Type.Optional(Type.String({ description: "The object's last modification in its backend." })),
  header_hash: Type.Optional(Type.String({ description: "SHA-256 of the header's bytes." })),
  part_count: Type.Optional(Type.Integer()),
  deep: Type.Optional(Type.Boolean()),
  tiled: Type.Optional(Type.Boolean()),
  width: Type.Optional(Type.Integer({ description: "The first part's data window." })),
  height: Type.Optional(Type.Integer()),
  channel_count: Type.Optional(Type.Integer()),
  compressions: Type.Array(Type.String()),
  channel_names: Type.Array(Type.String()),
  pixel_types: Type.Array(Type.String()),
  resolutions: Type.Array(Type.String({ description: '`WxH` of each part.' })),
  frame_number: Type.Optional(Type.Integer()),
  frame_source: Type.Optional(Type.Enum(['name', 'timeline'])),
  inspection_count: Type.Integer(),
  first_inspected: Type.String(),
  last_inspected: Type.String(),
  removed: Type.Optional(describe(DateTime, 'When the last Flow using the object stopped using it.')),
  frame: Type.Optional(FrameDoc),
  parts: Type.Array(PartDoc),
};

export const FileDoc = Type.Object(fileFields);
export type FileDoc = Static<typeof FileDoc>;

export const FileDetail = Type.Object({
  ...fileFields,
  version_field: Type.Optional(Type.Integer({ description: 'Bytes 4-7: version and flags.' })),
  header_end: Type.Optional(Type.Integer()),
  issues: Type.Array(Type.Unknown(), { description: 'What the parser found odd without refusing the file.' }),
  vector_layout: Type.Optional(Type.String()),
  frames: Type.Array(FrameDoc, { description: 'Where the object sits in Flows (the first 100).' }),
});
export type FileDetail = Static<typeof FileDetail>;

const Counts = Type.Record(Type.String(), Type.Integer());

export const StatsDoc = Type.Object({
  files: Type.Integer({ description: 'Inspected files (with flow_id: frames) not removed.' }),
  failed: Type.Integer({
    description:
      'Files (frames) whose object could not be inspected: `status=failed` lists them with their `error`.',
  }),
  skipped_events: Type.Optional(
    Type.Integer({
      description:
        'Without flow_id: events of the store the catalogue could not apply and passed over (each logged as `exr: event skipped`).',
    }),
  ),
  parts: Type.Integer(),
  deep: Type.Integer({ description: 'Deep files.' }),
  by_compression: describe(Counts, 'Files per compression (a file with parts of two counts in both).'),
  by_pixel_type: describe(Counts, 'Files per pixel type of their channels.'),
  by_resolution: describe(Counts, 'Files per part resolution, `WxH`.'),
});
export type StatsDoc = Static<typeof StatsDoc>;

export const SimilarDoc = Type.Array(
  Type.Object({
    score: Type.Number({
      description: 'Cosine similarity of the metadata vectors, 1 for the same metadata.',
    }),
    file: FileDoc,
  }),
);
export type SimilarDoc = Static<typeof SimilarDoc>;
