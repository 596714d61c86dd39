import { lazy } from './lazy.tsx';

const chunk = () => import('./writes.chunk.ts');

/** The write dialogs and the tokens page, fetched (one chunk) when the first of them opens. */
export const EditDialog = lazy(() => chunk().then((m) => m.EditDialog), 'The editor');
export const DeleteFlowDialog = lazy(() => chunk().then((m) => m.DeleteFlowDialog), 'The deletion dialog');
export const DeleteSegmentsDialog = lazy(
  () => chunk().then((m) => m.DeleteSegmentsDialog),
  'The deletion dialog',
);
export const WebhookDialog = lazy(() => chunk().then((m) => m.WebhookDialog), 'The webhook editor');
export const RemoveWebhookDialog = lazy(
  () => chunk().then((m) => m.RemoveWebhookDialog),
  'The webhook dialog',
);
export const TokensPage = lazy(() => chunk().then((m) => m.TokensPage), 'The tokens page');
