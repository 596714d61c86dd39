/** tams-mgmt run in-process, as its bin runs it, with its output collected. */
import { runMgmt } from '../../mgmt/mgmt.cli.ts';

export interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs tams-mgmt with `argv`, `env` and what standard input holds. */
export async function runCli(
  argv: readonly string[],
  options: { env: Record<string, string | undefined>; stdin?: string },
): Promise<Run> {
  let out = '';
  let err = '';
  const stdout = {
    write: (t: string) => {
      out += t;
      return true;
    },
  };
  const code = await runMgmt(argv, {
    env: options.env,
    stdout: stdout as never,
    stdin: async () => options.stdin ?? '',
    io: {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
      interactive: false,
    },
  });
  return { code, out, err };
}
