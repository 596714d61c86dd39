import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAYOUT, UNIONS } from './wire.fb.ts';

/**
 * The hand-written accessors take their slot numbers and union discriminants from LAYOUT and
 * UNIONS; this holds those to the .fbs files (the schema of record), read with a small parser of
 * the FlatBuffers schema language's table/union declarations.
 */

interface Schema {
  tables: Map<string, Map<string, number>>;
  unions: Map<string, Map<string, number>>;
}

function parseFbs(text: string): Schema {
  const src = text.replace(/\/\/.*$/gm, '');
  const tables = new Map<string, Map<string, number>>();
  const unions = new Map<string, Map<string, number>>();
  const unionNames = new Set([...src.matchAll(/\bunion\s+(\w+)/g)].map((m) => m[1] as string));
  for (const m of src.matchAll(/\bunion\s+(\w+)\s*\{([^}]*)\}/g)) {
    const members = (m[2] as string)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    // Members are numbered from 1 (0 is NONE).
    unions.set(m[1] as string, new Map(members.map((name, i) => [name, i + 1])));
  }
  for (const m of src.matchAll(/\btable\s+(\w+)\s*\{([^}]*)\}/g)) {
    const slots = new Map<string, number>();
    let slot = 0;
    for (const decl of (m[2] as string).split(';')) {
      const f = /^\s*(\w+)\s*:\s*([\w.[\]]+)/.exec(decl);
      if (!f) continue;
      const [, name, type] = f as unknown as [string, string, string];
      if (unionNames.has(type)) {
        slots.set(`${name}_type`, slot++);
      }
      slots.set(name, slot++);
    }
    tables.set(m[1] as string, slots);
  }
  return { tables, unions };
}

const schemas: Record<string, Schema> = {
  computeir: parseFbs(readFileSync(new URL('./fbs/computeir.fbs', import.meta.url), 'utf8')),
  tabular: parseFbs(readFileSync(new URL('./fbs/tabular.fbs', import.meta.url), 'utf8')),
};

describe('.fbs files and the accessors agree', () => {
  for (const [key, fields] of Object.entries(LAYOUT)) {
    it(`${key} slots`, () => {
      const [file, table] = key.split('.') as [string, string];
      const declared = schemas[file]?.tables.get(table);
      expect(declared, `${table} is declared in ${file}.fbs`).toBeDefined();
      for (const [field, slot] of Object.entries(fields))
        expect([field, declared?.get(field)]).toEqual([field, slot]);
    });
  }

  for (const [key, members] of Object.entries(UNIONS)) {
    it(`${key} discriminants`, () => {
      const [file, union] = key.split('.') as [string, string];
      const declared = schemas[file]?.unions.get(union);
      for (const [member, value] of Object.entries(members)) {
        expect([member, declared?.get(member)]).toEqual([member, value]);
      }
    });
  }

  it('reads the layouts VAST publishes (spot checks against PROTOCOL.md §1.7)', () => {
    expect(schemas.computeir?.tables.get('Source')).toEqual(
      new Map([
        ['id', 0],
        ['name', 1],
        ['filter', 2],
        ['schema', 3],
        ['projection', 4],
      ]),
    );
    expect(schemas.computeir?.unions.get('LiteralImpl')?.get('StringLiteral')).toBe(22);
    expect(schemas.computeir?.unions.get('RelationImpl')?.get('Source')).toBe(9);
  });
});
