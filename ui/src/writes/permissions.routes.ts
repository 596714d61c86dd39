import type { ActionName } from './permissions.ts';

/**
 * The API route each write action calls, as the server registers it (method, then the path
 * with the 8.2 mount's prefix): what test/ui/ui.permissions.test.ts reads the needed scopes
 * of. Kept apart from permissions.ts so that the first load does not carry it.
 */
const V82 = '/tams/v8.2';

export const ROUTES: Record<ActionName, string> = {
  flowLabelPut: `PUT ${V82}/flows/:flowId/label`,
  flowLabelDelete: `DELETE ${V82}/flows/:flowId/label`,
  flowDescriptionPut: `PUT ${V82}/flows/:flowId/description`,
  flowDescriptionDelete: `DELETE ${V82}/flows/:flowId/description`,
  flowTagPut: `PUT ${V82}/flows/:flowId/tags/:name`,
  flowTagDelete: `DELETE ${V82}/flows/:flowId/tags/:name`,
  flowReadOnlyPut: `PUT ${V82}/flows/:flowId/read_only`,
  flowDelete: `DELETE ${V82}/flows/:flowId`,
  segmentsDelete: `DELETE ${V82}/flows/:flowId/segments`,
  deletionGet: `GET ${V82}/flow-delete-requests/:requestId`,
  deletionList: `GET ${V82}/flow-delete-requests`,
  sourceLabelPut: `PUT ${V82}/sources/:sourceId/label`,
  sourceLabelDelete: `DELETE ${V82}/sources/:sourceId/label`,
  sourceDescriptionPut: `PUT ${V82}/sources/:sourceId/description`,
  sourceDescriptionDelete: `DELETE ${V82}/sources/:sourceId/description`,
  sourceTagPut: `PUT ${V82}/sources/:sourceId/tags/:name`,
  sourceTagDelete: `DELETE ${V82}/sources/:sourceId/tags/:name`,
  webhookList: `GET ${V82}/service/webhooks`,
  webhookCreate: `POST ${V82}/service/webhooks`,
  webhookUpdate: `PUT ${V82}/service/webhooks/:webhookId`,
  webhookDelete: `DELETE ${V82}/service/webhooks/:webhookId`,
  tokenList: 'GET /auth/tokens',
  tokenCreate: 'POST /auth/tokens',
  tokenRevoke: 'DELETE /auth/tokens/:id',
  recordingList: 'GET /recordings',
  recordingCreate: 'POST /recordings',
  recordingStop: 'POST /recordings/:id/stop',
  recordingStart: 'POST /recordings/:id/start',
  recordingDelete: 'DELETE /recordings/:id',
  replicationList: 'GET /replications',
  replicationCreate: 'POST /replications',
  replicationPause: 'POST /replications/:id/pause',
  replicationResume: 'POST /replications/:id/resume',
  replicationDelete: 'DELETE /replications/:id',
};
