/**
 * The globalThis key under which a runner other than vitest installs its harness before importing
 * the contract suites (contract.harness.ts). Its own module, so that the installer can name it
 * without loading the harness module, which picks vitest when nothing was installed yet.
 */
export const CONTRACT_HARNESS = Symbol.for('tams-server.contract-harness');
