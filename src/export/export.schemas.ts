import { Type } from 'typebox';
import { annotate, TimeRange } from '../http/common.schemas.ts';

/** The media types an export is sent as, by the Flow's container. */
const EXPORT_TYPES = ['video/mp2t', 'audio/mp2t', 'video/mp4', 'audio/mp4'];

export const ExportQuery = Type.Object({
  timerange: Type.Optional(
    annotate(TimeRange, {
      description:
        "The part of the Flow to export: every segment overlapping it, whole (the file starts at the first one's start and ends at the last one's end). Without it, the whole Flow.",
    }),
  ),
});

/** A 200 with the file: the handler sends a stream (no serializer runs). */
export function exportResponse(description: string) {
  const file = { schema: Type.String({ format: 'binary', description: 'The media file.' }) };
  return {
    description,
    headers: {
      'X-Export-Timerange': Type.String({
        description:
          "The timerange of the media in the file: from the first segment's start to the last one's end (whole segments, so usually wider than the `timerange` asked for).",
      }),
      'X-Export-Segments': Type.String({ description: 'How many segments the file holds.' }),
      'Content-Disposition': Type.String({
        description:
          "attachment, with a file name made of the Flow's label (else its id) and the start and end of the media in the file, in TAI seconds: `<label>_<start>-<end>.<ts|mp4|m4a>`.",
      }),
    },
    content: Object.fromEntries(EXPORT_TYPES.map((type) => [type, file])),
  };
}
