#!/usr/bin/env node
// tams-admin: manage users and API tokens (src/auth/admin.cli.ts). The sources are TypeScript,
// run through tsx like `npm start`.
import { register } from 'tsx/esm/api';

register();
await import('../src/auth/admin.main.ts');
