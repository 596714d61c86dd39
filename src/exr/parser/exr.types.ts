/**
 * The public shape of a parsed OpenEXR header (src/exr/parser/exr.parse.ts makes it). Everything here is
 * plain JSON data (numbers, strings, arrays, objects; no bigint, no byte arrays), so a header can
 * go into a table or an HTTP response as it is.
 *
 * Offsets are byte offsets from the start of the file. Values follow the OpenEXR "File Layout"
 * document; where real files disagree with its wording, the bytes win (see src/exr/README.md).
 */

/** Where the bytes come from: a file, an object store's ranged GETs, a buffer. */
export interface ExrByteSource {
  /** The file's size when known (stat, HEAD): lets the parser tell truncation and check offsets. */
  readonly size?: number;
  /**
   * Up to `length` bytes at `offset`. Fewer only at the end of the file (then the parser knows
   * the file's size); more are ignored.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Bounds on the work and memory one parse may take, whatever the input. */
export interface ExrParseOptions {
  /** The header (magic to the end of the last part's attributes) may not be longer. 16 MiB. */
  maxHeaderBytes?: number;
  /** Parts in a multipart file. 4096. */
  maxParts?: number;
  /** Attributes over all parts. 65536. */
  maxAttributes?: number;
  /** Channels over all parts' chlist attributes. 65536. */
  maxChannels?: number;
  /** Elements of floatvector and stringvector attributes, over the whole header. 262144. */
  maxVectorItems?: number;
  /** Offset-table entries read over all parts (0: none); the rest are counted, not read. 65536. */
  maxOffsetEntries?: number;
  /** The first read of an ExrByteSource; more is read only when the header is longer. 256 KiB. */
  firstReadBytes?: number;
}

/** Why a parse failed; every failure is an ExrParseError (src/exr/parser/exr.errors.ts) with one. */
export type ExrErrorCode =
  /** Not 20000630 (bytes 76 2f 31 01) at offset 0. */
  | 'BAD_MAGIC'
  /** The version number (low 8 bits of the version field) is not 2. */
  | 'UNSUPPORTED_VERSION'
  /** Flag bits other than 9-12 are set (the library refuses them). */
  | 'UNSUPPORTED_FLAGS'
  /** A combination the library refuses: single-part tiled (bit 9) with multipart or non-image. */
  | 'BAD_FLAGS'
  /** The file ends inside the header. */
  | 'TRUNCATED'
  /** The bytes given end inside the header, but the file is longer: parse more of it. */
  | 'INCOMPLETE'
  /** The header runs past maxHeaderBytes. */
  | 'HEADER_TOO_LARGE'
  /** More parts, attributes, channels or vector elements than the options allow. */
  | 'LIMIT_EXCEEDED'
  /** An attribute name or type (or channel name) over 31 bytes, or 255 with the long-names bit. */
  | 'NAME_TOO_LONG'
  /** An attribute with an empty type name. */
  | 'EMPTY_NAME'
  /** An attribute size that is negative or does not fit its type. */
  | 'BAD_SIZE'
  /** A value its type does not allow (tiledesc modes, a chlist without its terminator, ...). */
  | 'BAD_VALUE'
  /** A standard attribute (channels, dataWindow, tiles, chunkCount, ...) with another type. */
  | 'BAD_TYPE'
  /** A standard attribute given twice in one part. */
  | 'DUPLICATE_ATTRIBUTE'
  /** A multipart file whose header list is empty. */
  | 'NO_PARTS'
  /** The byte source failed. */
  | 'READ_FAILED';

/** Something odd that did not stop the parse; `part` is the part's index when it is about one. */
export interface ExrIssue {
  code: ExrIssueCode;
  message: string;
  part?: number;
  offset?: number;
}

export type ExrIssueCode =
  /** A required attribute is absent (also listed in the part's missingRequired). */
  | 'MISSING_REQUIRED'
  /** An attribute (not a standard one) given twice in a part: the last one counts. */
  | 'DUPLICATE_ATTRIBUTE'
  /** The `type` attribute names no known part type, or disagrees with the version flags. */
  | 'PART_TYPE'
  /** The chunkCount attribute differs from the count computed from the header. */
  | 'CHUNK_COUNT_MISMATCH'
  /** The chunkCount attribute is negative. */
  | 'BAD_CHUNK_COUNT'
  /** The chunk count cannot be computed (unknown compression, empty data window, ...). */
  | 'CHUNK_COUNT_UNKNOWN'
  /** Offset tables after a part of unknown chunk count cannot be located. */
  | 'OFFSET_TABLE_UNKNOWN'
  /** The offset table was read only in part (the entry bound, or the bytes given end). */
  | 'OFFSET_TABLE_PARTIAL'
  /** The offset table runs past the end of the file. */
  | 'OFFSET_TABLE_OUTSIDE_FILE'
  /** Offset-table entries point into the tables or past the end of the file (0: not written). */
  | 'OFFSETS_OUT_OF_RANGE'
  /** A deep part's `version` attribute is not 1. */
  | 'DEEP_VERSION'
  /** A data or display window whose max is below its min (the libraries refuse it). */
  | 'INVALID_WINDOW'
  /** A tile side of 0, or past an int (the libraries refuse it). */
  | 'INVALID_TILE_SIZE'
  /** A channel's x or y sampling below 1 (the libraries refuse it). */
  | 'INVALID_SAMPLING'
  /** A compression, line order or pixel type of a number no library knows (kept as the number). */
  | 'UNKNOWN_VALUE';

/** The version field (bytes 4-7): format version and flags. */
export interface ExrVersion {
  /** The whole little-endian 32-bit field. */
  field: number;
  /** Bits 0-7: always 2 in a parsed header. */
  number: number;
  /** Bit 9: a single-part tiled file. */
  singlePartTiled: boolean;
  /** Bit 10: names up to 255 bytes. */
  longNames: boolean;
  /** Bit 11: deep ("non-image") data. */
  nonImage: boolean;
  /** Bit 12: several parts. */
  multipart: boolean;
  /** Bits 8 and 13-31; always 0 in a parsed header (the library refuses files with any). */
  unknownBits: number;
}

export interface ExrBox2 {
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

export type ExrV2 = [number, number];
export type ExrV3 = [number, number, number];

export type ExrPixelType = 'UINT' | 'HALF' | 'FLOAT';

export interface ExrChannel {
  name: string;
  /** Unknown numbers are kept as numbers. */
  pixelType: ExrPixelType | number;
  /** The byte as stored: 1 when the channel is perceptually linear. */
  pLinear: number;
  xSampling: number;
  ySampling: number;
}

export interface ExrChromaticities {
  redX: number;
  redY: number;
  greenX: number;
  greenY: number;
  blueX: number;
  blueY: number;
  whiteX: number;
  whiteY: number;
}

/** HTJ2K256 (10) and HTJ2K32 (11) came with OpenEXR 3.4, LJ2K (12) and ZSTD (13) with 3.5; other numbers are kept. */
export type ExrCompression =
  | 'NONE'
  | 'RLE'
  | 'ZIPS'
  | 'ZIP'
  | 'PIZ'
  | 'PXR24'
  | 'B44'
  | 'B44A'
  | 'DWAA'
  | 'DWAB'
  | 'HTJ2K256'
  | 'HTJ2K32'
  | 'LJ2K'
  | 'ZSTD'
  | number;

export type ExrLineOrder = 'INCREASING_Y' | 'DECREASING_Y' | 'RANDOM_Y' | number;
export type ExrEnvmap = 'LATLONG' | 'CUBE' | number;
export type ExrDeepImageState = 'MESSY' | 'SORTED' | 'NON_OVERLAPPING' | 'TIDY' | number;
export type ExrLevelMode = 'ONE_LEVEL' | 'MIPMAP_LEVELS' | 'RIPMAP_LEVELS';
export type ExrRoundingMode = 'ROUND_DOWN' | 'ROUND_UP';

export interface ExrTileDesc {
  xSize: number;
  ySize: number;
  levelMode: ExrLevelMode;
  roundingMode: ExrRoundingMode;
}

export interface ExrKeycode {
  filmMfcCode: number;
  filmType: number;
  prefix: number;
  count: number;
  perfOffset: number;
  perfsPerFrame: number;
  perfsPerCount: number;
}

export interface ExrRational {
  numerator: number;
  denominator: number;
}

/** SMPTE 12M time code as OpenEXR's TimeCode packs it (the TV60 layout of the two words). */
export interface ExrTimecode {
  timeAndFlags: number;
  userData: number;
  /** BCD-decoded; digits over 9 are decoded as they are, not refused. */
  hours: number;
  minutes: number;
  seconds: number;
  frame: number;
  dropFrame: boolean;
  colorFrame: boolean;
  fieldPhase: boolean;
  bgf0: boolean;
  bgf1: boolean;
  bgf2: boolean;
  /** The 8 binary groups of userData, group 1 first (bits 0-3). */
  binaryGroups: number[];
}

export interface ExrPreview {
  width: number;
  height: number;
  /** Bytes of RGBA pixels (width * height * 4; the library refuses any other size). */
  rgbaBytes: number;
  /** The pixels, base64, only when rgbaBytes <= 16384 (64x64): a catalogue's thumbnail. */
  rgba?: string;
}

/** The value of an attribute whose type this parser does not know. */
export interface ExrOpaqueValue {
  bytes: number;
  /** The bytes, base64, only when there are at most 65536 of them. */
  base64?: string;
}

/** The decoded value of each attribute type of the specification. */
export interface ExrAttributeValues {
  box2i: ExrBox2;
  box2f: ExrBox2;
  chlist: ExrChannel[];
  chromaticities: ExrChromaticities;
  compression: ExrCompression;
  double: number;
  envmap: ExrEnvmap;
  float: number;
  floatvector: number[];
  int: number;
  keycode: ExrKeycode;
  lineOrder: ExrLineOrder;
  /** Row-major, 9 elements. */
  m33f: number[];
  m33d: number[];
  /** Row-major, 16 elements. */
  m44f: number[];
  m44d: number[];
  preview: ExrPreview;
  rational: ExrRational;
  /** The attribute's bytes as UTF-8 (no length prefix, no terminator). */
  string: string;
  stringvector: string[];
  tiledesc: ExrTileDesc;
  timecode: ExrTimecode;
  v2i: ExrV2;
  v2f: ExrV2;
  v2d: ExrV2;
  v3i: ExrV3;
  v3f: ExrV3;
  v3d: ExrV3;
  deepImageState: ExrDeepImageState;
}

export type ExrKnownType = keyof ExrAttributeValues;

interface ExrAttributeBase {
  name: string;
  /** The value's size in bytes, as the header says. */
  size: number;
  /** Where the attribute (its name) starts. */
  offset: number;
}

export type ExrKnownAttribute = {
  [T in ExrKnownType]: ExrAttributeBase & { type: T; value: ExrAttributeValues[T] };
}[ExrKnownType];

/** An attribute of a type this parser does not know (read with `attributeValue` for known ones). */
export interface ExrOpaqueAttribute extends ExrAttributeBase {
  type: string;
  value: ExrOpaqueValue;
}

export type ExrAttribute = ExrKnownAttribute | ExrOpaqueAttribute;

export type ExrPartType = 'scanlineimage' | 'tiledimage' | 'deepscanline' | 'deeptile';

export interface ExrOffsetTable {
  /** Where the table starts: the header's end for the first part, after the previous table next. */
  start: number;
  /** start + 8 * count. */
  end: number;
  /** Entries read (bounded by maxOffsetEntries and by the bytes there are). */
  entriesRead: number;
  /** Whether every entry was read. */
  complete: boolean;
  /** The first 4 entries. */
  first: number[];
  /** The last entry read. */
  lastRead?: number;
  /** Over the entries read. DECREASING_Y scanline files have descending tables, as they should. */
  order: 'ascending' | 'descending' | 'unordered';
  /** Non-decreasing over the entries read. */
  monotonic: boolean;
  /** Whether the table ends inside the file; undefined when the file's size is unknown. */
  insideFile?: boolean;
  /**
   * Entries read that cannot start a chunk: before the end of all offset tables (0 is how an
   * unfinished file marks a chunk not written) or, when the file's size is known, at or past it.
   * Entries over 2^53 are approximated (they are out of range in any file).
   */
  outOfRange: number;
}

export interface ExrChunks {
  /** The chunkCount attribute. */
  declared?: number;
  /** From dataWindow with the compression's lines per chunk, or tiles and their levels. */
  computed?: number;
  /** What the offset table was laid out with: declared (as the library reads it), else computed. */
  count?: number;
  source: 'attribute' | 'computed' | 'unknown';
  /** Scanline parts: lines per chunk of the compression. */
  linesPerChunk?: number;
  /** Tiled parts: the number of levels in x and y. */
  levels?: { x: number; y: number };
  /** Undefined when it cannot be located (a previous part's count is unknown). */
  offsetTable?: ExrOffsetTable;
}

/** What a catalogue of files needs of a part, derived from its attributes. */
export interface ExrPartSummary {
  /** The `name` attribute (multipart and deep files; single-part files often have none). */
  name?: string;
  /** From the `type` attribute, else the version flags (as the library invents it). */
  type: ExrPartType | 'unknown';
  /** The `type` attribute as written, when there is one. */
  typeAttribute?: string;
  deep: boolean;
  tiled: boolean;
  dataWindow?: ExrBox2;
  displayWindow?: ExrBox2;
  /** Of dataWindow. */
  width?: number;
  height?: number;
  displayWidth?: number;
  displayHeight?: number;
  compression?: ExrCompression;
  lineOrder?: ExrLineOrder;
  pixelAspectRatio?: number;
  channels: ExrChannel[];
  tiles?: ExrTileDesc;
  /** The `view` attribute (a multi-view multipart file's part). */
  view?: string;
  /** The `multiView` attribute (a single-part multi-view file: its views, the default first). */
  multiView?: string[];
  chunkCount?: number;
  declaredChunkCount?: number;
  computedChunkCount?: number;
}

export interface ExrPart {
  index: number;
  /** Where the part's first attribute starts. */
  headerStart: number;
  /** After the null byte that ends the part's attributes. */
  headerEnd: number;
  /** In file order, duplicates included. */
  attributes: ExrAttribute[];
  /**
   * Required attributes that are absent: the 8 of every part; tiles for tiled parts; name, type
   * and chunkCount in multipart and deep files; version in deep parts. Reported, not refused:
   * real deep files come without a name.
   */
  missingRequired: string[];
  chunks: ExrChunks;
  summary: ExrPartSummary;
}

export interface ExrHeader {
  version: ExrVersion;
  /** The file's size, when the source or the caller knew it. */
  fileSize?: number;
  /** After the last part's header (and a multipart file's empty header): the offset tables. */
  headerEnd: number;
  /** After the last offset table: where chunk data can start. Undefined if a count is unknown. */
  offsetTablesEnd?: number;
  parts: ExrPart[];
  issues: ExrIssue[];
}
