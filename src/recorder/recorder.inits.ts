/**
 * The init objects of an fMP4 recording (TAMS 8.2 `init_object_id`): one object per distinct
 * init segment per Flow, uploaded when a track's segments first need it and named by every
 * segment after it, so a client initialises its decoder once (app note 0024: reuse init objects
 * wherever possible). ffmpeg writes the init segment again at each start: where it is the same
 * bytes, the object already there is named again.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** Uploads `bytes` as a new object of the Flow; answers its object id. */
export type UploadObject = (flowId: string, bytes: Buffer, contentType: string) => Promise<string>;

export class InitObjects {
  private readonly known = new Map<string, { file: string; digest: string; objectId: string }>();

  constructor(private readonly upload: UploadObject) {}

  /**
   * The object holding the init segment in `file`, uploaded when the Flow has none with its bytes.
   * A file is written once per ffmpeg run (each run has a directory of its own), so it is read
   * once: when a run first names it.
   */
  async objectFor(flowId: string, file: string, contentType: string): Promise<string> {
    const known = this.known.get(flowId);
    if (known?.file === file) return known.objectId;
    const bytes = await readFile(file);
    const digest = createHash('sha256').update(bytes).digest('hex');
    const objectId =
      known?.digest === digest ? known.objectId : await this.upload(flowId, bytes, contentType);
    this.known.set(flowId, { file, digest, objectId });
    return objectId;
  }
}
