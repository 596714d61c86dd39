import { Type } from 'typebox';
import type { SettingsOf, WorkerSettings } from '../feature/feature.types.ts';

/** The TAMS_* settings of EXR metadata (spread into the one config schema). */
export const exrSettings = {
  TAMS_EXR: Type.Boolean({
    default: true,
    description:
      'EXR metadata (`/exr`): inspect the OpenEXR header of every object registered on an image Flow of container `image/x-exr`, following the event outbox, and serve the catalogue.',
  }),
  TAMS_EXR_UPLOAD_MAX_BYTES: Type.Integer({
    default: 64 * 1024 * 1024,
    minimum: 1024,
    maximum: 1024 * 1024 * 1024,
    description:
      'The largest file `POST /exr/inspect` takes as its body (only the header is read: clients may post the first bytes of a larger file with `size`).',
  }),
};

/** The settings EXR metadata reads: its own, and the workers'. */
export type ExrConfig = SettingsOf<typeof exrSettings> & WorkerSettings;
