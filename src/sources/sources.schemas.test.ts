import { Type } from 'typebox';
import { describe } from 'vitest';
import {
  type Case,
  compilesForFastify,
  parityCases,
  parityExamples,
} from '../../test/helpers/schema-parity.ts';
import { CONTENT_FORMATS } from '../http/common.schemas.ts';
import * as sources from './sources.schemas.ts';
import { Source } from './sources.schemas.ts';

const ok = (name: string, doc: unknown): Case => ({ name, doc, valid: true });
const bad = (name: string, doc: unknown): Case => ({ name, doc, valid: false });

const ID = 'a77d0061-0878-4e8a-a114-772d03f952c1';
const OTHER_ID = '4f79cfd1-c057-47f4-8e4d-1b126ca7bf34';
const source = { id: ID, format: 'urn:x-nmos:format:video' };

describe('source schemas', () => {
  compilesForFastify(sources);

  parityExamples('source.json', Source);
  parityExamples('source.json[]', Type.Array(Source));
  parityCases('source.json', Source, [
    ...CONTENT_FORMATS.map((format) => ok(`format ${format}`, { id: ID, format })),
    ok('everything', {
      ...source,
      label: 'l',
      description: 'd',
      created_by: 'a',
      updated_by: 'b',
      created: '2024-03-01T12:00:00Z',
      updated: '2024-03-01T12:00:00.123456Z',
      tags: { a: 'b' },
      source_collection: [{ id: OTHER_ID, role: 'video' }],
      collected_by: [OTHER_ID],
      extra: true,
    }),
    bad('without id', { format: source.format }),
    bad('without format', { id: ID }),
    bad('NMOS image format', { id: ID, format: 'urn:x-nmos:format:image' }),
    bad('upper-case id', { ...source, id: ID.toUpperCase() }),
    bad('created not a date-time', { ...source, created: 'yesterday' }),
    bad('updated without time zone', { ...source, updated: '2024-03-01T12:00:00' }),
    bad('tags with a boolean value', { ...source, tags: { a: true } }),
    bad('source_collection item without role', { ...source, source_collection: [{ id: OTHER_ID }] }),
    bad('source_collection item with a bad id', { ...source, source_collection: [{ id: 'x', role: 'r' }] }),
    bad('collected_by with a bad id', { ...source, collected_by: ['x'] }),
    bad('label a number', { ...source, label: 1 }),
    bad('not an object', [source]),
  ]);
});
