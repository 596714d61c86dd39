/**
 * The statements a server sent to PostgreSQL, as PostgreSQL itself logs them (`log_statement =
 * all`, one record per statement received, simple or extended protocol, on the server's stderr,
 * which a throwaway server hands to `onLog`). A test marks the start and end of the work it looks
 * at with a statement of its own connection and reads the records of every other backend logged
 * between the two: what the work cost in round trips, whoever's pooled connection ran them.
 */
import type pg from 'pg';
import { MarkedLog } from './pg.marks.ts';

/** Settings of a throwaway server logging every statement with its backend's process id. */
export const STATEMENT_SETTINGS: Readonly<Record<string, string>> = {
  log_statement: 'all',
  log_line_prefix: '%m [%p] ',
};

/** One statement as logged: the backend that ran it and its text (`BEGIN …`, `SELECT …`). */
export interface SentStatement {
  pid: number;
  text: string;
}

/** A record's first line: `<time> [<pid>] LOG:  statement: <text>` or `… LOG:  execute <name>: <text>`. */
const RECORD = /^\S+ \S+ \S+ \[(\d+)\] LOG: {2}(?:statement|execute [^:]+): (.*)$/;

export class StatementLog {
  private readonly log = new MarkedLog();
  private own: Promise<number> | undefined;
  readonly onLog = this.log.onLog;

  /** The statements other connections than `client` sent while `work` ran. */
  async during(client: pg.Client, work: () => Promise<unknown>): Promise<SentStatement[]> {
    const between = await this.log.between(client, work);
    const own = await this.ownPid(client);
    const sent: SentStatement[] = [];
    for (const line of between.split('\n')) {
      const match = RECORD.exec(line);
      if (match === null) continue;
      const pid = Number(match[1]);
      if (pid !== own) sent.push({ pid, text: match[2] ?? '' });
    }
    return sent;
  }

  /** The backend of the test's own connection (its marks are not the work's). */
  private ownPid(client: pg.Client): Promise<number> {
    this.own ??= client
      .query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
      .then((r) => Number(r.rows[0]?.pid));
    return this.own;
  }
}

/** Statements one to a line, shortened, for failure messages. */
export function listed(statements: readonly SentStatement[]): string {
  return statements.map((s, i) => `${i + 1}. ${s.text.slice(0, 140)}`).join('\n');
}
