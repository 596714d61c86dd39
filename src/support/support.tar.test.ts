import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tarGz } from './support.tar.ts';

describe('the archive writer', () => {
  it('writes a .tar.gz that tar extracts, long paths included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tams-tar-'));
    try {
      const long = `${'d'.repeat(120)}/${'f'.repeat(90)}.txt`;
      const files = [
        { path: 'b/README.txt', content: 'hello\n' },
        { path: 'b/empty.json', content: '' },
        { path: 'b/block.bin', content: new Uint8Array(512).fill(7) },
        { path: long, content: 'é long\n' },
      ];
      writeFileSync(join(dir, 'a.tar.gz'), tarGz(files, new Date('2026-01-02T03:04:05Z')));
      execFileSync('tar', ['xzf', 'a.tar.gz'], { cwd: dir });
      expect(readFileSync(join(dir, 'b/README.txt'), 'utf8')).toBe('hello\n');
      expect(readFileSync(join(dir, 'b/empty.json'), 'utf8')).toBe('');
      expect(readFileSync(join(dir, 'b/block.bin'))).toEqual(Buffer.alloc(512, 7));
      expect(readFileSync(join(dir, long), 'utf8')).toBe('é long\n');
      expect(execFileSync('tar', ['tvzf', 'a.tar.gz'], { cwd: dir }).toString()).toContain('2026-01-02');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
