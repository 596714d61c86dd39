import type { Clock } from '../common/clock.ts';
import type { Principal, RecordedCredential } from '../http/principal.ts';
import type { AuthRepo, GrantRecords } from '../store/auth.repo.ts';

interface Snapshot {
  /** performance.now() when read. */
  at: number;
  users: Map<string, readonly string[]>;
  tokens: Map<string, GrantRecords['tokens'][number]>;
  tokensOf: Map<string, GrantRecords['tokens']>;
}

/**
 * Whether a credential still grants `read`, for what acts for a caller after its request: webhook
 * deliveries and open event streams. Users' and tokens' scopes and validity are read from the
 * store at most once per cache lifetime (as the Authenticator's: forever where this process owns
 * the database, every change going through `forget`), so a check is a few map lookups.
 * JWTs cannot be looked up (the identity provider is not asked): what they granted when recorded
 * stands, until their expiry for a live request.
 */
export class CredentialGrants {
  private snapshot: Snapshot | undefined;
  private loading: Promise<Snapshot> | undefined;
  private generation = 0;

  constructor(private readonly deps: { repo: AuthRepo; clock: Clock; ttlMs: number }) {}

  /** A user or token changed. */
  forget(): void {
    this.snapshot = undefined;
    this.loading = undefined;
    this.generation++;
  }

  /**
   * Why a recorded owner may no longer read; undefined when it may. `name` alone (no recorded
   * credential: a webhook registered before credentials were recorded) passes while a user of
   * that name, or an active API token acting as it, grants read.
   */
  async refusal(
    name: string | undefined,
    credential: RecordedCredential | undefined,
  ): Promise<string | undefined> {
    if (credential?.scheme === 'jwt') {
      return credential.scopes.includes('read')
        ? undefined
        : `the JWT of "${credential.id}" granted no read scope`;
    }
    const grants = await this.current();
    if (credential?.scheme === 'token') return this.tokenRefusal(grants, credential.id);
    if (credential?.scheme === 'basic') return userRefusal(grants, credential.id);
    if (name === undefined) return 'no principal is recorded (registered while TAMS_AUTH=none)';
    if (grants.users.get(name)?.includes('read')) return undefined;
    if ((grants.tokensOf.get(name) ?? []).some((t) => this.tokenRefusal(grants, t.id) === undefined)) {
      return undefined;
    }
    return `no user "${name}" and no active API token acting as "${name}" grants the read scope (recorded before owners' credentials were: registering it again records the caller's)`;
  }

  /** Why the caller of a request still in progress (an event stream) may no longer read. */
  async liveRefusal(principal: Principal): Promise<string | undefined> {
    const now = this.deps.clock.now().getTime();
    if (principal.expires !== undefined && principal.expires <= now) {
      return principal.scheme === 'jwt' ? 'the JWT has expired' : 'the API token has expired';
    }
    return this.refusal(principal.name, {
      scheme: principal.scheme,
      id: principal.credentialId,
      scopes: [...principal.scopes],
    });
  }

  private tokenRefusal(grants: Snapshot, id: string): string | undefined {
    const token = grants.tokens.get(id);
    if (token === undefined) return `API token ${id} no longer exists`;
    if (token.revoked !== undefined) return `API token ${id} has been revoked`;
    if (token.expires !== undefined && token.expires <= this.deps.clock.now()) {
      return `API token ${id} has expired`;
    }
    return token.scopes.includes('read') ? undefined : `API token ${id} does not grant the read scope`;
  }

  private async current(): Promise<Snapshot> {
    const snapshot = this.snapshot;
    if (snapshot !== undefined && performance.now() - snapshot.at < this.deps.ttlMs) return snapshot;
    if (this.loading === undefined) {
      const generation = this.generation;
      const loading = this.load().then((loaded) => {
        // A change meanwhile: what was read may predate it, so it is used once and not kept.
        if (generation === this.generation) this.snapshot = loaded;
        return loaded;
      });
      this.loading = loading;
      const settled = () => {
        if (this.loading === loading) this.loading = undefined;
      };
      loading.then(settled, settled);
    }
    return this.loading;
  }

  private async load(): Promise<Snapshot> {
    const at = performance.now();
    const { users, tokens } = await this.deps.repo.grants();
    const tokensOf = new Map<string, GrantRecords['tokens']>();
    for (const token of tokens)
      tokensOf.set(token.principal, [...(tokensOf.get(token.principal) ?? []), token]);
    return {
      at,
      users: new Map(users.map((u) => [u.name, u.scopes])),
      tokens: new Map(tokens.map((t) => [t.id, t])),
      tokensOf,
    };
  }
}

function userRefusal(grants: Snapshot, name: string): string | undefined {
  const scopes = grants.users.get(name);
  if (scopes === undefined) return `user "${name}" no longer exists`;
  return scopes.includes('read') ? undefined : `user "${name}" does not have the read scope`;
}
