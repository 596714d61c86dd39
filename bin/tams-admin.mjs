#!/usr/bin/env node
// tams-admin: the earlier name of tams-mgmt (mgmt/mgmt.cli.ts), kept for existing scripts: the
// same commands (`tams-admin token create …` is `tams-mgmt token create …`); sources or dist/,
// see entry.mjs.
import { runEntry } from './entry.mjs';

await runEntry('mgmt/main');
