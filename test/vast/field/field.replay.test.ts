/**
 * Every answer recorded by `tams-mgmt vast check` and kept here (one folder per recording: see
 * README.md beside this file) is read again through the engine's parsers and must read as it did
 * when it was recorded. A recording from a real cluster thus guards the parsers against a change
 * that would misread what that cluster sends; one the parsers refused when it was recorded
 * (`parse_error`) fails here until they read it.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayFolder } from './field.testkit.ts';

const HERE = new URL('.', import.meta.url).pathname;
const folders = readdirSync(HERE).filter((n) => statSync(join(HERE, n)).isDirectory());

describe('recorded VAST answers read through the engine as recorded', () => {
  it('has the recording of the fake VAST, marked as such', () => {
    expect(folders).toContain('fake');
    const fake = replayFolder(join(HERE, 'fake'), 'fake');
    expect(fake.length).toBeGreaterThan(15);
    for (const r of fake) expect(r.golden.target, r.file).toBe('fake');
  });

  for (const folder of folders) {
    describe(folder, () => {
      for (const r of replayFolder(join(HERE, folder), folder)) {
        it(`${r.file} (${r.golden.operation}, ${r.golden.response.status})`, () => {
          if (r.recorded === undefined)
            throw new Error(
              `the engine's parser refused this answer when it was recorded (${r.golden.parse_error}); ` +
                `it now reads ${JSON.stringify(r.actual).slice(0, 300)}: once that is right, record it as "decoded"`,
            );
          expect(r.actual).toEqual(r.recorded);
        });
      }
    });
  }
});
