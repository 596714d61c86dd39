import { afterAll, beforeAll } from 'vitest';
import { testEngine } from '../../../../test/support/db/engines/vast/vast.testkit.ts';
import { type FakeVast, startFakeVast } from '../../../../tools/vast-fake/fake.server.ts';
import { describeEngineContract } from '../../db.contract.ts';

// One fake VAST server for the file; each store of the contract is a schema of its own, so every
// test starts empty, and reopening a store name reopens the same schema (persistent).
let vast: FakeVast;
beforeAll(async () => {
  vast = await startFakeVast();
});
afterAll(async () => {
  await vast?.close();
});

describeEngineContract('vast (fake server)', async (store) => testEngine(vast, store.replace(/-/g, '_')), {
  persistent: true,
});
