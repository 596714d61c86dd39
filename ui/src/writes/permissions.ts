import type { Whoami } from '../api/types.ts';

/**
 * What the signed-in principal may do, decided as the API decides it (src/auth/auth.hook.ts):
 * each write action of the UI is one API route, and needs the scopes that route's policy needs
 * (the method's scope; read as well for a webhook, whose deliveries hand out what readers see;
 * admin for tokens). test/ui/ui.permissions.test.ts checks every entry against the routes the
 * server registers, so a control is offered exactly when the API would accept its request.
 */
export type Scope = 'read' | 'write' | 'delete' | 'admin';

export interface Action {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** The route as the server registers it (the 8.2 mount's prefix included). */
  route: string;
  scopes: readonly Scope[];
}

const V82 = '/tams/v8.2';
const put = (route: string): Action => ({ method: 'PUT', route: `${V82}${route}`, scopes: ['write'] });
const del = (route: string): Action => ({ method: 'DELETE', route: `${V82}${route}`, scopes: ['delete'] });

export const ACTIONS = {
  flowLabelPut: put('/flows/:flowId/label'),
  flowLabelDelete: del('/flows/:flowId/label'),
  flowDescriptionPut: put('/flows/:flowId/description'),
  flowDescriptionDelete: del('/flows/:flowId/description'),
  flowTagPut: put('/flows/:flowId/tags/:name'),
  flowTagDelete: del('/flows/:flowId/tags/:name'),
  flowReadOnlyPut: put('/flows/:flowId/read_only'),
  flowDelete: del('/flows/:flowId'),
  deletionGet: { method: 'GET', route: `${V82}/flow-delete-requests/:requestId`, scopes: ['read'] },
  sourceLabelPut: put('/sources/:sourceId/label'),
  sourceLabelDelete: del('/sources/:sourceId/label'),
  sourceDescriptionPut: put('/sources/:sourceId/description'),
  sourceDescriptionDelete: del('/sources/:sourceId/description'),
  sourceTagPut: put('/sources/:sourceId/tags/:name'),
  sourceTagDelete: del('/sources/:sourceId/tags/:name'),
  webhookList: { method: 'GET', route: `${V82}/service/webhooks`, scopes: ['read'] },
  webhookCreate: { method: 'POST', route: `${V82}/service/webhooks`, scopes: ['read', 'write'] },
  webhookUpdate: { method: 'PUT', route: `${V82}/service/webhooks/:webhookId`, scopes: ['read', 'write'] },
  webhookDelete: del('/service/webhooks/:webhookId'),
  tokenList: { method: 'GET', route: '/auth/tokens', scopes: ['admin'] },
  tokenCreate: { method: 'POST', route: '/auth/tokens', scopes: ['admin'] },
  tokenRevoke: { method: 'DELETE', route: '/auth/tokens/:id', scopes: ['admin'] },
} as const satisfies Record<string, Action>;

export type ActionName = keyof typeof ACTIONS;

/** Whether `who` holds every scope `action` needs (authentication off: whoami grants all four). */
export function allowed(who: Pick<Whoami, 'scopes'> | undefined, action: ActionName): boolean {
  return who !== undefined && ACTIONS[action].scopes.every((scope) => who.scopes.includes(scope));
}
