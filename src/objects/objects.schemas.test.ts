import { describe } from 'vitest';
import {
  type Case,
  compilesForFastify,
  parityCases,
  parityExamples,
} from '../../test/helpers/schema-parity.ts';
import * as objects from './objects.schemas.ts';
import { MediaObject } from './objects.schemas.ts';

const ok = (name: string, doc: unknown): Case => ({ name, doc, valid: true });
const bad = (name: string, doc: unknown): Case => ({ name, doc, valid: false });
const FLOW_ID = 'e85efab4-993b-4ad6-9af3-4cd8d0d38860';

describe('object schemas', () => {
  compilesForFastify(objects);

  parityExamples('object.json', MediaObject);
  parityCases('object.json', MediaObject, [
    ok('unreferenced', { id: 'o', referenced_by_flows: [] }),
    ok('id with slashes', {
      id: 'tams-1/2/3.ts',
      referenced_by_flows: [FLOW_ID],
      first_referenced_by_flow: FLOW_ID,
    }),
    ok('extra property', { id: 'o', referenced_by_flows: [], timerange: '_' }),
    bad('without referenced_by_flows', { id: 'o' }),
    bad('without id', { referenced_by_flows: [] }),
    bad('id a number', { id: 1, referenced_by_flows: [] }),
    bad('bad flow id', { id: 'o', referenced_by_flows: ['flow'] }),
    bad('bad first_referenced_by_flow', { id: 'o', referenced_by_flows: [], first_referenced_by_flow: 'x' }),
  ]);
});
