import { describe, expect, it } from 'vitest';
import {
  type Case,
  compilesForFastify,
  parityCases,
  typeboxValidator,
} from '../../test/helpers/schema-parity.ts';
import { specExample, specValidator } from '../../test/helpers/spec-schemas.ts';
import * as webhooks from './webhooks.schemas.ts';
import {
  FlowSegmentsDeletedEvent,
  Webhook,
  WebhookEvents,
  WebhookPost,
  WebhooksList,
} from './webhooks.schemas.ts';

const ok = (name: string, doc: unknown): Case => ({ name, doc, valid: true });
const bad = (name: string, doc: unknown): Case => ({ name, doc, valid: false });

const FLOW_ID = 'e85efab4-993b-4ad6-9af3-4cd8d0d38860';
const SOURCE_ID = 'a77d0061-0878-4e8a-a114-772d03f952c1';
const TIME = '2024-03-01T12:00:00.000Z';

const hook = { url: 'https://hook.example.com', events: ['flows/created'] };
const registrationCases: Case[] = [
  ok('minimal', hook),
  ok('empty events (removes the registration)', { ...hook, events: [] }),
  ok('every filter and transformation', {
    ...hook,
    api_key_name: 'Authorization',
    api_key_value: 'Bearer x',
    flow_ids: [FLOW_ID],
    source_ids: [SOURCE_ID],
    flow_collected_by_ids: [FLOW_ID],
    source_collected_by_ids: [SOURCE_ID],
    accept_get_urls: ['a', ''],
    accept_storage_ids: [FLOW_ID],
    presigned: true,
    verbose_storage: false,
    extra: 1,
  }),
  bad('without url', { events: [] }),
  bad('without events', { url: hook.url }),
  bad('events a string', { ...hook, events: 'flows/created' }),
  bad('events with a number', { ...hook, events: [1] }),
  bad('flow_ids with a bad id', { ...hook, flow_ids: ['x'] }),
  bad('source_collected_by_ids with a bad id', { ...hook, source_collected_by_ids: [FLOW_ID.toUpperCase()] }),
  bad('accept_storage_ids with an empty string', { ...hook, accept_storage_ids: [''] }),
  bad('presigned a string', { ...hook, presigned: 'true' }),
  bad('api_key_value a number', { ...hook, api_key_value: 1 }),
];

const flow = { id: FLOW_ID, source_id: SOURCE_ID, format: 'urn:x-nmos:format:multi' };
const source = { id: SOURCE_ID, format: 'urn:x-nmos:format:multi' };
const segment = { object_id: 'o', timerange: '[0:0_1:0)', get_urls: [{ url: 'u', label: 'l' }] };
const envelope = (event_type: string, event: object) => ({ event_timestamp: TIME, event_type, event });

const eventCases: Record<keyof typeof WebhookEvents, Case[]> = {
  'flows/created': [
    ok('a multi flow', envelope('flows/created', { flow })),
    ok('an example flow', envelope('flows/created', { flow: specExample('flow-get-200-video-h264.json') })),
    bad('an invalid flow', envelope('flows/created', { flow: { ...flow, format: 'x' } })),
    bad('without flow', envelope('flows/created', { flow_id: FLOW_ID })),
  ],
  'flows/updated': [
    ok('a multi flow', envelope('flows/updated', { flow })),
    bad('the created event type', envelope('flows/created', { flow })),
  ],
  'flows/deleted': [
    ok('a flow id', envelope('flows/deleted', { flow_id: FLOW_ID })),
    bad('a bad flow id', envelope('flows/deleted', { flow_id: 'x' })),
  ],
  'flows/segments_added': [
    ok('segments', envelope('flows/segments_added', { flow_id: FLOW_ID, segments: [segment] })),
    ok('example segments', {
      ...envelope('flows/segments_added', { flow_id: FLOW_ID }),
      event: { flow_id: FLOW_ID, segments: specExample('flow-segments-get-200-multiple-urls.json') },
    }),
    bad('without segments', envelope('flows/segments_added', { flow_id: FLOW_ID })),
    bad('a get_url with an unknown property', {
      ...envelope('flows/segments_added', {
        flow_id: FLOW_ID,
        segments: [{ ...segment, get_urls: [{ url: 'u', x: 1 }] }],
      }),
    }),
  ],
  'flows/segments_deleted': [
    ok('a timerange', envelope('flows/segments_deleted', { flow_id: FLOW_ID, timerange: '[0:0_10:0)' })),
    bad('the 7.0 typo event type', envelope('flows/segments_added', { flow_id: FLOW_ID, timerange: '_' })),
    bad('a bad timerange', envelope('flows/segments_deleted', { flow_id: FLOW_ID, timerange: 'all' })),
    bad('without flow_id', envelope('flows/segments_deleted', { timerange: '_' })),
  ],
  'sources/created': [
    ok('a source', envelope('sources/created', { source })),
    ok(
      'an example source',
      envelope('sources/created', { source: specExample('source-get-200-multi.json') }),
    ),
    bad('an invalid source', envelope('sources/created', { source: { id: SOURCE_ID } })),
  ],
  'sources/updated': [
    ok('a source', envelope('sources/updated', { source })),
    bad('a flow instead of a source', envelope('sources/updated', { flow })),
  ],
  'sources/deleted': [
    ok('a source id', envelope('sources/deleted', { source_id: SOURCE_ID })),
    bad('a bad source id', envelope('sources/deleted', { source_id: 1 })),
  ],
};

const envelopeCases = (eventType: string, valid: object): Case[] => [
  bad('without event_timestamp', { ...valid, event_timestamp: undefined }),
  bad('event_timestamp without time zone', { ...valid, event_timestamp: '2024-03-01T12:00:00' }),
  bad('without event_type', { ...valid, event_type: undefined }),
  bad('unknown event_type', { ...valid, event_type: `${eventType}x` }),
  bad('without event', { ...valid, event: undefined }),
  bad('event not an object', { ...valid, event: 'x' }),
];

describe('webhook schemas', () => {
  compilesForFastify(webhooks);

  parityCases('webhook-post.json', WebhookPost, registrationCases);
  parityCases('webhook.json', Webhook, registrationCases);
  parityCases('webhook.json[]', WebhooksList, [
    ok('empty', []),
    ok('one', [hook]),
    bad('an invalid one', [{}]),
  ]);

  for (const [eventType, cases] of Object.entries(eventCases)) {
    const valid = cases[0]?.doc as object;
    const all = [...cases, ...envelopeCases(eventType, valid)].map((c) => ({
      ...c,
      doc: JSON.parse(JSON.stringify(c.doc)),
    }));
    parityCases(`webhooks/${eventType}`, WebhookEvents[eventType as keyof typeof WebhookEvents], all);
  }

  it('fixes the 7.0 typo in the flows/segments_deleted event type', () => {
    const verbatim = specValidator('webhooks-7.0/flows/segments_deleted');
    const ours = typeboxValidator(FlowSegmentsDeletedEvent);
    const corrected = envelope('flows/segments_deleted', { flow_id: FLOW_ID, timerange: '_' });
    const typo = envelope('flows/segments_added', { flow_id: FLOW_ID, timerange: '_' });
    expect([verbatim(corrected), verbatim(typo)]).toEqual([false, true]);
    expect([ours(corrected), ours(typo)]).toEqual([true, false]);
  });

  it('requires an object payload where the spec schemas have no top-level type', () => {
    for (const [eventType, schema] of Object.entries(WebhookEvents)) {
      expect([specValidator(`webhooks/${eventType}`)('x'), typeboxValidator(schema)('x')]).toEqual([
        true,
        false,
      ]);
    }
  });
});
