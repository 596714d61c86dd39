import type { Whoami } from '../api/types.ts';

/**
 * What the signed-in principal may do, decided as the API decides it (src/auth/auth.hook.ts):
 * each write action of the UI is one API route (permissions.routes.ts), and needs the scopes
 * that route's policy needs: the method's (GET read, PUT and POST write, DELETE delete), read
 * as well for a webhook (its deliveries hand out what readers see), admin for tokens.
 * test/ui/ui.permissions.test.ts checks every entry against the routes the server registers,
 * so a control is offered exactly when the API would accept its request.
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
} as const satisfies Record<string, readonly Scope[]>;

export type ActionName = keyof typeof SCOPES_NEEDED;

/** Whether `who` holds every scope `action` needs (authentication off: whoami grants all four). */
export function allowed(who: Pick<Whoami, 'scopes'> | undefined, action: ActionName): boolean {
  const needed: readonly Scope[] = SCOPES_NEEDED[action];
  return who !== undefined && needed.every((scope) => who.scopes.includes(scope));
}
