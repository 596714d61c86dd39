/** The conflict rules the replicas' design assumes of VAST (vast.conflicts.contract.ts), on the fake. */
import { afterAll, beforeAll } from 'vitest';
import { testEngine } from '../../../../test/support/db/engines/vast/vast.testkit.ts';
import { type FakeVast, startFakeVast } from '../../../../tools/vast-fake/fake.server.ts';
import { describeConflictRules } from './vast.conflicts.contract.ts';

let vast: FakeVast;
beforeAll(async () => {
  vast = await startFakeVast();
});
afterAll(async () => {
  await vast?.close();
});

describeConflictRules('fake VAST', (schema) => testEngine(vast, schema));
