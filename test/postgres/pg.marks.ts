/**
 * A throwaway PostgreSQL's stderr (handed to `onLog`), and what it logged while some work ran: the
 * test marks the start and end with a statement of its own connection (`SELECT 'tams-mark-N'`)
 * and takes the text between the two marks' records.
 */
import type pg from 'pg';
import { expect } from 'vitest';

export class MarkedLog {
  private text = '';
  private marks = 0;
  readonly onLog = (chunk: string): void => {
    this.text += chunk;
  };

  /**
   * What was logged after the start mark's line and before the end mark, `work` run between
   * them. Each record is written before its statement's answer goes out, so once the end mark is
   * in the log every statement of the work is.
   */
  async between(client: pg.Client, work: () => Promise<unknown>): Promise<string> {
    const begin = `tams-mark-${++this.marks}`;
    const end = `tams-mark-${++this.marks}`;
    await client.query(`SELECT '${begin}'`);
    await expect.poll(() => this.text.includes(`'${begin}'`)).toBe(true);
    const from = this.text.indexOf(`'${begin}'`);
    await work();
    await client.query(`SELECT '${end}'`);
    await expect.poll(() => this.text.indexOf(`'${end}'`, from) > 0).toBe(true);
    return this.text.slice(this.text.indexOf('\n', from) + 1, this.text.indexOf(`'${end}'`, from));
  }
}
