#!/usr/bin/env node
// tams-mgmt: management of a tams-server store (mgmt/mgmt.cli.ts); sources or dist/, see entry.mjs.
import { runEntry } from './entry.mjs';

await runEntry('mgmt/main');
