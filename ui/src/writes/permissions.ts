import type { Whoami } from '../api/types.ts';

/**
 * What the signed-in principal may do, decided as the API decides it (src/auth/auth.hook.ts):
 * each write action of the UI is one API route (permissions.routes.ts), and needs the scopes
 * that route's policy needs: the method's (GET read, PUT and POST write, DELETE delete), read
 * as well for a webhook (its deliveries hand out what readers see), admin for tokens.
 * test/ui/ui.permissions.test.ts checks every entry against the routes the server registers,
 * under both of the server's scope mappings (APPNOTE_SCOPES), so a control is offered exactly
 * when the API would accept its request.
 */
export type Scope = 'read' | 'write' | 'delete' | 'admin';

const W = ['write'] as const;
const D = ['delete'] as const;
const R = ['read'] as const;
const RW = ['read', 'write'] as const;
const A = ['admin'] as const;

export const SCOPES_NEEDED = {
  flowLabelPut: W,
  flowLabelDelete: D,
  flowDescriptionPut: W,
  flowDescriptionDelete: D,
  flowTagPut: W,
  flowTagDelete: D,
  flowReadOnlyPut: W,
  flowDelete: D,
  segmentsDelete: D,
  deletionGet: R,
  deletionList: R,
  sourceLabelPut: W,
  sourceLabelDelete: D,
  sourceDescriptionPut: W,
  sourceDescriptionDelete: D,
  sourceTagPut: W,
  sourceTagDelete: D,
  webhookList: R,
  webhookCreate: RW,
  webhookUpdate: RW,
  webhookDelete: D,
  tokenList: A,
  tokenCreate: A,
  tokenRevoke: A,
  recordingList: R,
  recordingCreate: W,
  recordingStop: RW,
  recordingStart: RW,
  recordingDelete: D,
  replicationList: R,
  replicationCreate: RW,
  replicationPause: RW,
  replicationResume: RW,
  replicationDelete: D,
} as const satisfies Record<string, readonly Scope[]>;

export type ActionName = keyof typeof SCOPES_NEEDED;

/** Alternatives: an action is offered when one of them is held whole. */
type Alternatives = readonly (readonly Scope[])[];

const WA: Alternatives = [W, A];
const DA: Alternatives = [D, A];
const RA: Alternatives = [R, A];
const AO: Alternatives = [A];

/**
 * The same actions where the server follows AppNote 0016's table (whoami's `scope_map`,
 * TAMS_AUTH_SCOPE_MAP=appnote-0016): `admin` does every one, a property's DELETE is a write, a
 * webhook's PUT and DELETE are reads, deletion requests are listed by `admin` and read with
 * `delete`. The tokens', the recorder's and replication's routes are not in the AppNote's table: as
 * SCOPES_NEEDED.
 */
export const APPNOTE_SCOPES: Record<ActionName, Alternatives> = {
  flowLabelPut: WA,
  flowLabelDelete: WA,
  flowDescriptionPut: WA,
  flowDescriptionDelete: WA,
  flowTagPut: WA,
  flowTagDelete: WA,
  flowReadOnlyPut: WA,
  flowDelete: DA,
  segmentsDelete: DA,
  deletionGet: DA,
  deletionList: AO,
  sourceLabelPut: WA,
  sourceLabelDelete: WA,
  sourceDescriptionPut: WA,
  sourceDescriptionDelete: WA,
  sourceTagPut: WA,
  sourceTagDelete: WA,
  webhookList: RA,
  webhookCreate: WA,
  webhookUpdate: RA,
  webhookDelete: RA,
  tokenList: AO,
  tokenCreate: AO,
  tokenRevoke: AO,
  recordingList: [R],
  recordingCreate: [W],
  recordingStop: [RW],
  recordingStart: [RW],
  recordingDelete: [D],
  replicationList: [R],
  replicationCreate: [RW],
  replicationPause: [RW],
  replicationResume: [RW],
  replicationDelete: [D],
};

/** What `action` needs under the server's mapping: one of these sets of scopes, whole. */
export function scopesFor(who: Pick<Whoami, 'scope_map'>, action: ActionName): Alternatives {
  return who.scope_map === 'appnote-0016' ? APPNOTE_SCOPES[action] : [SCOPES_NEEDED[action]];
}

/** Whether `who` holds the scopes `action` needs (authentication off: whoami grants all four). */
export function allowed(who: Pick<Whoami, 'scopes' | 'scope_map'> | undefined, action: ActionName): boolean {
  if (who === undefined) return false;
  return scopesFor(who, action).some((set) => set.every((scope) => who.scopes.includes(scope)));
}
