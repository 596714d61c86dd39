import { packageVersion } from '../common/package-info.ts';

import type { Redactor } from './support.redact.ts';
import { SECRET_ENV, SECRET_SETTINGS } from './support.secrets.ts';
import type { BundleBudgets, BundlePart, BundleSources } from './support.types.ts';

/** The README of the bundle: how it was made, each file and whether it failed, what was redacted. */
export function readme(input: {
  sources: BundleSources;
  parts: readonly BundlePart[];
  redactor: Redactor;
  budgets: BundleBudgets;
}): string {
  const { sources, parts, redactor, budgets } = input;
  const failed = parts.filter((p) => p.error !== undefined);
  const how =
    sources.mode === 'server'
      ? 'through the running server (GET /support/bundle, admin scope)'
      : 'by tams-mgmt against the stopped store (opened as the other tams-mgmt commands open it)';
  const lines = [
    'tams-server support bundle',
    '==========================',
    '',
    `Made ${sources.now.toISOString()} by tams-server ${packageVersion()}, ${how}.`,
    `Engine: ${sources.config.TAMS_DB}.`,
    failed.length === 0
      ? 'Every part was collected.'
      : `${failed.length} part(s) could not be collected; their files hold the error instead.`,
    '',
    'Files',
    '-----',
    'README.txt       This file.',
    ...parts.flatMap((p) => [
      `${p.file.padEnd(16)} ${p.what}`,
      ...(p.error !== undefined ? [`${''.padEnd(16)} FAILED: ${p.error}`] : []),
    ]),
    '',
    'Redaction',
    '---------',
    'Every file was passed through two redactions before it was archived:',
    `- by value: ${redactor.values} forms (as written, JSON-escaped, URL-encoded) of every secret the`,
    `  configuration holds or points at (${Object.keys(SECRET_SETTINGS).join(', ')};`,
    "  passwords in any URL setting; the storage backends' keys and the variables their `_env`",
    `  names point at; ${SECRET_ENV.join(', ')}), the webhooks' API key values and the embedded`,
    "  media store's URL-signing key, replaced by [REDACTED] wherever they appear;",
    '- by shape, whatever the value: the credentials of Authorization schemes (Bearer, Basic,',
    '  Digest), JWTs, PEM private keys,',
    '  query parameters and name=value pairs of credentials (X-Amz-Signature, X-Amz-Credential,',
    "  X-Amz-Security-Token, the fs store's sig, access_token, token, key, password, secret, ...),",
    '  JSON members of credentials (authorization, cookie, password, api_key_value, ...), header',
    '  lines (Authorization, Cookie, Set-Cookie, X-Api-Key), passwords in URLs.',
    'In config.json the secret settings are replaced by name; a PostgreSQL URL keeps its host,',
    'database and user.',
    '',
    'Bounds',
    '------',
    `Each part may take ${budgets.partMs / 1000} s; verify reads for ${budgets.verifyMs / 1000} s at most (its report says`,
    'whether it completed). Lists of rows (leases, deletion requests, queues) are cut at a few',
    'hundred with their full counts; verify keeps 20 examples per problem.',
  ];
  return `${lines.join('\n')}\n`;
}
