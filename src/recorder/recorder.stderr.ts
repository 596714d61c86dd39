/** The last lines a process wrote to stderr, for a job's last_error; ffmpeg ends progress lines with \r. */
export function lastLines(text: string, count: number): string {
  return text
    .split(/\r?\n|\r/)
    .map((l) => l.trimEnd())
    .filter((l) => l !== '')
    .slice(-count)
    .join('\n');
}

/** Keeps the last `count` lines of a stream as it arrives, without holding all of it. */
export class StderrTail {
  private text = '';

  constructor(private readonly count: number) {}

  push(chunk: Buffer | string): void {
    this.text += chunk.toString();
    if (this.text.length > 64 * 1024) this.text = this.text.slice(-32 * 1024);
  }

  lines(): string {
    return lastLines(this.text, this.count);
  }
}
