/**
 * The lines of a text (CRLF, CR and LF each end one), read by number without an array of strings:
 * a file of 16 MiB of line breaks would otherwise be 16 million strings. Costs 4 bytes a line.
 */
export class Lines {
  readonly count: number;
  private readonly starts: Uint32Array;

  constructor(private readonly text: string) {
    let count = 1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) count++;
    }
    this.count = count;
    this.starts = new Uint32Array(count);
    let n = 1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) this.starts[n++] = i + 1;
    }
  }

  /** Line `i` (0-based) without its terminator; '' past the end. */
  at(i: number): string {
    if (i < 0 || i >= this.count) return '';
    const start = this.starts[i] as number;
    if (i + 1 === this.count) return this.text.slice(start);
    const next = this.starts[i + 1] as number;
    const crlf = this.text.charCodeAt(next - 1) === 0x0a && this.text.charCodeAt(next - 2) === 0x0d;
    return this.text.slice(start, next - (crlf ? 2 : 1));
  }
}
