// Entry point of tams-mgmt and of its other name tams-admin (npm run mgmt|admin -- <command>,
// bin/tams-mgmt.mjs, bin/tams-admin.mjs).
import { runMgmt } from './mgmt.cli.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

process.exitCode = await runMgmt(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stdin: readStdin,
  io: {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    interactive: process.stderr.isTTY === true,
  },
});
