/**
 * Every write dialog and the tokens page in one chunk, fetched when the first of them opens:
 * one chunk (rather than one per dialog sharing smaller ones) keeps Preact in the first load's
 * script instead of a chunk of its own, which would make the first load larger.
 */
export { DeleteFlowDialog } from './delete.dialog.tsx';
export { EditDialog } from './edit.dialog.tsx';
export { DeleteSegmentsDialog } from './segments.delete.dialog.tsx';
export { TokensPage } from './tokens.page.tsx';
export { RemoveWebhookDialog, WebhookDialog } from './webhook.dialog.tsx';
