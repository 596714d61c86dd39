#!/usr/bin/env node
// tams-admin: the earlier name of tams-mgmt (mgmt/mgmt.cli.ts), kept for existing scripts: the
// same commands (`tams-admin token create …` is `tams-mgmt token create …`). The sources are
// TypeScript, run through tsx like `npm start`.
import { register } from 'tsx/esm/api';

register();
await import('../mgmt/main.ts');
