/**
 * The conflict rules the replicas' design assumes of VAST (vast.conflicts.contract.ts), on the
 * fake in both its modes: conflicts refused at commit, and at the call (fake.claims.ts).
 */
import { afterAll, beforeAll } from 'vitest';
import { testEngine } from '../../../../test/support/db/engines/vast/vast.testkit.ts';
import { CONFLICTS_AT, type FakeVast, startFakeVast } from '../../../../tools/vast-fake/fake.server.ts';
import { describeConflictRules } from './vast.conflicts.contract.ts';

const fakes = new Map<string, FakeVast>();
beforeAll(async () => {
  for (const conflictsAt of CONFLICTS_AT) fakes.set(conflictsAt, await startFakeVast({ conflictsAt }));
});
afterAll(async () => {
  for (const vast of fakes.values()) await vast.close();
});

for (const conflictsAt of CONFLICTS_AT) {
  describeConflictRules(`fake VAST, conflicts refused at the ${conflictsAt}`, (schema) =>
    testEngine(fakes.get(conflictsAt) as FakeVast, schema),
  );
}
