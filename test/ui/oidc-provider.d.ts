/**
 * The part of oidc-provider (panva, 8.x; a devDependency without type declarations) the web UI's
 * sign-in tests use: a provider configured in code, served through Node's HTTP server.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface ProviderContext {
    oidc: {
      account?: { accountId: string };
      session?: { accountId?: string };
    };
  }

  export interface ProviderClient {
    redirectUris: string[];
  }

  export interface ResourceServerInfo {
    scope: string;
    audience: string;
    accessTokenFormat: 'jwt' | 'opaque';
    accessTokenTTL: number;
    jwt?: { sign: { alg: string } };
  }

  export interface Account {
    accountId: string;
    claims(): Record<string, unknown>;
  }

  export type Configuration = Record<string, unknown> & {
    findAccount?: (ctx: ProviderContext, id: string) => Account | Promise<Account>;
    clientBasedCORS?: (ctx: ProviderContext, origin: string, client: ProviderClient) => boolean;
  };

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }

  export const errors: { InvalidTarget: new (description?: string) => Error };
}
