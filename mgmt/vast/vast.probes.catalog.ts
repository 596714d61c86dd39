/**
 * Probes of the cluster's catalog answers: listings by exact name (how VAST's SDK decides that a
 * schema or table exists), and the statuses of refusals the engine reads an outcome from
 * (creating what exists, reading what does not). The readiness probe and the version are
 * checked first, with the settings (vast.probes.settings.ts).
 */
import {
  decodeListSchemasResponse,
  decodeListTablesResponse,
  encodeCreateSchemaRequest,
} from '../../src/db/engines/vast/wire/wire.catalog.ts';
import { encodeSchemaMessage } from '../../src/db/engines/vast/wire/wire.schema.ts';
import type { WireField } from '../../src/db/engines/vast/wire/wire.types.ts';
import { outcome, ProbeFailure, statusOf } from './vast.probe.ts';
import type { CheckContext, KitRunner } from './vast.runner.ts';
import type { Scratch } from './vast.scratch.ts';

const FIELDS: WireField[] = [{ name: 'id', type: 'int64', nullable: false }];

const listHeaders = (exact: string) => ({
  'tabular-max-keys': '1000',
  'tabular-next-key': '0',
  'tabular-name-exact-match': exact,
  'tabular-list-count-only': 'False',
});

async function exactNames(scratch: Scratch, ctx: CheckContext): Promise<void> {
  const s = scratch.schema('exact');
  const longer = `${s}_more`;
  await scratch.inTx(async (txid) => {
    for (const name of [s, longer]) {
      await scratch.call({
        method: 'POST',
        names: [scratch.bucket, name],
        query: [['schema']],
        txid,
        body: encodeCreateSchemaRequest(),
      });
    }
    for (const table of ['kit_t', 'kit_t_more']) {
      await scratch.call({
        method: 'POST',
        names: [scratch.bucket, s, table],
        query: [['table']],
        txid,
        body: encodeSchemaMessage(FIELDS),
      });
    }
  });
  const problems: string[] = [];
  await scratch.inTx(async (txid) => {
    const schemas = async (exact: string) =>
      outcome(
        scratch.call({
          method: 'GET',
          names: [scratch.bucket],
          query: [['schema']],
          txid,
          headers: listHeaders(exact),
        }),
        (r) => JSON.stringify(decodeListSchemasResponse(r.body).schemas.map((x) => x.name)),
      );
    const tables = async (exact: string) =>
      outcome(
        scratch.call({
          method: 'GET',
          names: [scratch.bucket, s],
          query: [['table']],
          txid,
          headers: listHeaders(exact),
        }),
        (r) => JSON.stringify(decodeListTablesResponse(r.body).tables.map((x) => x.name)),
      );
    const cases: [string, Awaited<ReturnType<typeof schemas>>, string][] = [
      [`schemas named exactly <s> (<s>_more exists too)`, await schemas(s), JSON.stringify([s])],
      ['schemas named exactly <s>_none (missing)', await schemas(`${s}_none`), '[]'],
      ['tables named exactly kit_t (kit_t_more exists too)', await tables('kit_t'), '["kit_t"]'],
      ['tables named exactly kit_none (missing)', await tables('kit_none'), '[]'],
    ];
    for (const [what, got, want] of cases) {
      const text = got.text.split(s).join('<s>');
      ctx.note(`${what}: ${text}`);
      if (got.text !== want) problems.push(`${what}: ${text}, expected ${want.split(s).join('<s>')}`);
    }
  });
  if (problems.length > 0) throw new ProbeFailure(problems.join('; '));
}

async function refusals(scratch: Scratch, ctx: CheckContext): Promise<void> {
  const s = scratch.schema('exact');
  const table = (name: string) => [scratch.bucket, s, name];
  const checks: [string, () => Promise<unknown>, number | 'ok' | undefined][] = [
    [
      'create a table that exists',
      () =>
        scratch.inTx((txid) =>
          scratch.call({
            method: 'POST',
            names: table('kit_t'),
            query: [['table']],
            txid,
            body: encodeSchemaMessage(FIELDS),
          }),
        ),
      409,
    ],
    [
      'create a schema that exists',
      () =>
        scratch.inTx((txid) =>
          scratch.call({
            method: 'POST',
            names: [scratch.bucket, s],
            query: [['schema']],
            txid,
            body: encodeCreateSchemaRequest(),
          }),
        ),
      409,
    ],
    [
      'list the columns of a missing table',
      () =>
        scratch.inTx((txid) =>
          scratch.call({
            method: 'GET',
            names: table('kit_none'),
            query: [['column']],
            txid,
            headers: { 'tabular-max-keys': '1000', 'tabular-next-key': '0' },
          }),
        ),
      404,
    ],
    [
      'read the stats of a table',
      () =>
        scratch.inTx((txid) =>
          scratch.call({ method: 'GET', names: table('kit_t'), query: [['stats']], txid, idempotent: true }),
        ),
      'ok',
    ],
    [
      'drop a missing table',
      () =>
        scratch.inTx((txid) =>
          scratch.call({ method: 'DELETE', names: table('kit_none'), query: [['table']], txid }),
        ),
      undefined,
    ],
    [
      'list the tables of a missing schema',
      () =>
        scratch.inTx((txid) =>
          scratch.call({
            method: 'GET',
            names: [scratch.bucket, `${s}_none`],
            query: [['table']],
            txid,
            headers: listHeaders(''),
          }),
        ),
      undefined,
    ],
    [
      'list the schemas of a missing bucket',
      () =>
        scratch.inTx((txid) =>
          scratch.call({
            method: 'GET',
            names: [`${scratch.bucket}-tams-kit-missing`],
            query: [['schema']],
            txid,
            headers: listHeaders(''),
          }),
        ),
      undefined,
    ],
    [
      'list schemas outside a transaction (tabular-txid 0, as the SDK may)',
      () =>
        scratch.call({
          method: 'GET',
          names: [scratch.bucket],
          query: [['schema']],
          headers: listHeaders(s),
        }),
      undefined,
    ],
  ];
  const problems: string[] = [];
  for (const [what, run, want] of checks) {
    const got = await outcome(run());
    ctx.note(`${what}: ${got.text.split(s).join('<s>')}`);
    const status = got.ok ? 'ok' : statusOf(got.error);
    if (want !== undefined && status !== want) problems.push(`${what}: expected ${want}, got ${got.text}`);
  }
  if (problems.length > 0) throw new ProbeFailure(problems.join('; '));
}

export function catalogProbes(runner: KitRunner, scratch: Scratch): void {
  runner.describe('catalog', () => {
    runner.test('listings by exact name list that name only', (ctx) => exactNames(scratch, ctx));
    runner.test('creating what exists answers 409; a missing table answers 404', (ctx) =>
      refusals(scratch, ctx),
    );
  });
}
