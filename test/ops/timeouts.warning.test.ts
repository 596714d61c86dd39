/**
 * Timeouts outside TAMS 8.2's bounds (decision L10 of issue 49): the server started as operators
 * start it (src/main.ts, a real process) with TAMS_UNUSED_OBJECT_GRACE_SECONDS 60 (8.2 wants 300 s
 * or more) still starts, logs a warning naming the setting and the values in use, and its 8.2
 * `/service` states those values.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/server.ts';
import { type ChildServer, spawnServer } from './child.ts';

const dir = tempDir('tams-timeouts-');
let child: ChildServer | undefined;
afterAll(async () => {
  if (child && child.process.exitCode === null) {
    child.process.kill('SIGKILL');
    await child.exited;
  }
  dir.remove();
});

describe('timeouts TAMS 8.2 does not allow', () => {
  it('start the server with a warning, and 8.2 /service states the values in use', async () => {
    child = await spawnServer({
      TAMS_DATA_DIR: dir.path,
      TAMS_UNUSED_OBJECT_GRACE_SECONDS: '60',
      TAMS_PRESIGN_EXPIRY_SECONDS: '30',
    });
    const warnings = child.logs.filter((line) => line.level === 40);
    expect(warnings).toContainEqual(
      expect.objectContaining({
        settings: { TAMS_UNUSED_OBJECT_GRACE_SECONDS: 60 },
        msg: 'TAMS_UNUSED_OBJECT_GRACE_SECONDS is 60: TAMS 8.2 requires min_object_timeout of 300 s or more; /tams/v8.2/service states min_object_timeout "60:0" and min_presigned_url_timeout "30:0", the values in use',
      }),
    );
    expect(warnings.filter((line) => String(line.msg).includes('TAMS 8.2'))).toHaveLength(1);
    const service = (await (await fetch(`${child.url}/tams/v8.2/service`)).json()) as Record<string, unknown>;
    expect(service).toMatchObject({ min_object_timeout: '60:0', min_presigned_url_timeout: '30:0' });
  });
});
