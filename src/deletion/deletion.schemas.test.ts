import { describe } from 'vitest';
import {
  type Case,
  compilesForFastify,
  parityCases,
  parityExamples,
} from '../../test/helpers/schema-parity.ts';
import * as deletion from './deletion.schemas.ts';
import { DeletionRequest, DeletionRequestsList } from './deletion.schemas.ts';

const ok = (name: string, doc: unknown): Case => ({ name, doc, valid: true });
const bad = (name: string, doc: unknown): Case => ({ name, doc, valid: false });

const request = {
  id: '0c1e5d5e-8c3f-4d3a-9a55-3a1f3b0e5f1a',
  flow_id: 'e85efab4-993b-4ad6-9af3-4cd8d0d38860',
  timerange_to_delete: '_',
  delete_flow: true,
  status: 'created',
};
const TIME = '2024-03-01T12:00:00Z';

describe('deletion request schemas', () => {
  compilesForFastify(deletion);

  parityExamples('deletion-request.json', DeletionRequest);
  parityCases(
    'deletion-request.json',
    DeletionRequest,
    [
      ok('minimal', request),
      ...['started', 'done', 'error'].map((status) => ok(`status ${status}`, { ...request, status })),
      ok('everything', {
        ...request,
        status: 'error',
        timerange_remaining: '[5:0_',
        created: TIME,
        created_by: 'alice',
        updated: TIME,
        expiry: TIME,
        error: { type: 'InternalError', summary: 's', time: TIME, traceback: ['a'] },
        extra: 1,
      }),
      bad('unknown status', { ...request, status: 'pending' }),
      bad('without delete_flow', { ...request, delete_flow: undefined }),
      bad('without timerange_to_delete', { ...request, timerange_to_delete: undefined }),
      bad('without status', { ...request, status: undefined }),
      bad('bad id', { ...request, id: 'req-1' }),
      bad('bad flow_id', { ...request, flow_id: 'x' }),
      bad('bad timerange_remaining', { ...request, timerange_remaining: '5:0-' }),
      bad('delete_flow a string', { ...request, delete_flow: 'true' }),
      bad('created not a date-time', { ...request, created: 'now' }),
      bad('error without summary', { ...request, error: { type: 't', time: TIME } }),
    ].map((c) => ({ ...c, doc: JSON.parse(JSON.stringify(c.doc)) })),
  );

  parityExamples('deletion-requests-list.json', DeletionRequestsList);
  parityCases('deletion-requests-list.json', DeletionRequestsList, [
    ok('empty', []),
    ok('two', [request, { ...request, status: 'done' }]),
    bad('with an invalid request', [request, { ...request, status: 'x' }]),
    bad('not an array', request),
  ]);
});
