#!/usr/bin/env node
// tams-mgmt: management of a tams-server store (mgmt/mgmt.cli.ts). The sources are TypeScript,
// run through tsx like `npm start`.
import { register } from 'tsx/esm/api';

register();
await import('../mgmt/main.ts');
