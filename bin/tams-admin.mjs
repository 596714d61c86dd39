#!/usr/bin/env node
// tams-admin: manage users and API tokens (src/auth/admin.cli.ts); sources or dist/, see entry.mjs.
import { runEntry } from './entry.mjs';

await runEntry('src/auth/admin.main');
