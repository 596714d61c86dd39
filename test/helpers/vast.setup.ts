/** Setup file of the `vast` project: closes the file's fake VAST and s3rver after its tests. */
import { afterAll } from 'vitest';
import { closeVastMode } from './vast.mode.ts';

afterAll(async () => {
  await closeVastMode();
});
