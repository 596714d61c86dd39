// Entry point of tams-mgmt (npm run mgmt -- <command>, bin/tams-mgmt.mjs).
import { runMgmt } from './mgmt.cli.ts';

process.exitCode = await runMgmt(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  io: {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    interactive: process.stderr.isTTY === true,
  },
});
