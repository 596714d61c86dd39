import { describe, expect, it } from 'vitest';
import { compilesForFastify, typeboxValidator } from '../../test/helpers/schema-parity.ts';
import { spec82 } from '../../test/helpers/spec82-schemas.ts';
import * as schemas from './webhooks.v8.schemas.ts';
import { WebhookGet, WebhookPostV8, WebhookPut } from './webhooks.v8.schemas.ts';

const ID = 'e85efab4-993b-4ad6-9af3-4cd8d0d38860';
const hook = { url: 'https://hook.example.com', events: ['flows/created'] };
const every = {
  ...hook,
  api_key_name: 'Authorization',
  flow_ids: [ID],
  source_ids: [ID],
  flow_collected_by_ids: [],
  source_collected_by_ids: [ID],
  accept_get_urls: ['a', ''],
  accept_storage_ids: [ID],
  presigned: true,
  verbose_storage: false,
  include_object_timerange: false,
  tags: { a: 'b', list: ['x', 'y'], none: [] },
};

type Case = [name: string, doc: unknown, valid: boolean];

/** Each case judged alike by 8.2's own schema and ours. */
function parity(specName: string, schema: Parameters<typeof typeboxValidator>[0], cases: Case[]): void {
  const spec = spec82.specValidator(specName);
  const ours = typeboxValidator(schema);
  it.each(cases)(`${specName}: %s`, (_name, doc, valid) => {
    expect({ spec: spec(doc), typebox: ours(doc) }).toEqual({ spec: valid, typebox: valid });
  });
}

const common = (base: object): Case[] => [
  ['every option', { ...base, ...every }, true],
  ['an unknown event type', { ...base, events: ['flows/renamed'] }, false],
  ['a tag value a number', { ...base, tags: { a: 1 } }, false],
  ['a tag list with a number', { ...base, tags: { a: ['x', 1] } }, false],
  ['flow_ids with a bad id', { ...base, flow_ids: ['x'] }, false],
  ['include_object_timerange a string', { ...base, include_object_timerange: 'true' }, false],
  ['without url', { ...base, url: undefined }, false],
];

describe('8.2 webhook schemas', () => {
  compilesForFastify(schemas);

  parity('webhook-post.json', WebhookPostV8, [
    ['the example', spec82.specExample('webhook-post.json'), true],
    ['minimal', hook, true],
    ['disabled', { ...hook, status: 'disabled' }, true],
    ['a status only the server sets', { ...hook, status: 'started' }, false],
    ...common(hook),
  ]);
  parity('webhook-put.json', WebhookPut, [
    ['the example', spec82.specExample('webhook-put.json'), true],
    ['without status', { ...hook, id: ID }, false],
    ['without id', { ...hook, status: 'created' }, false],
    ['a bad id', { ...hook, id: 'x', status: 'created' }, false],
    ['status error', { ...hook, id: ID, status: 'error' }, false],
    ...common({ ...hook, id: ID, status: 'created' }),
  ]);
  const got = { ...hook, id: ID, status: 'started' };
  parity('webhook-get.json', WebhookGet, [
    ['the example', spec82.specExample('webhook-get-200.json'), true],
    [
      'in error',
      { ...got, status: 'error', error: { type: 'T', summary: 's', time: '2026-01-01T00:00:00Z' } },
      true,
    ],
    ['an error without time', { ...got, status: 'error', error: { type: 'T', summary: 's' } }, false],
    ['without status', { ...hook, id: ID }, false],
    ['an unknown status', { ...got, status: 'paused' }, false],
    ['with an owner', { ...got, owner: 'alice' }, true],
    ...common(got),
  ]);
});
