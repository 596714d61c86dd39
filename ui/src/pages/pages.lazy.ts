import { lazy } from '../writes/lazy.tsx';

/**
 * The pages a first load rarely opens, each a chunk of its own fetched when first shown (as the
 * Flow and Source pages are): the sign-in page and the Sources and Flows lists, what a first
 * load shows, carry none of their code (BENCHMARKS.md "Web UI first load").
 */
export const ProfilesPage = lazy(
  () => import('./profiles.tsx').then((m) => m.ProfilesPage),
  'The Profiles page',
);
export const StoragePage = lazy(() => import('./storage.tsx').then((m) => m.StoragePage), 'The storage page');
export const ObjectPage = lazy(() => import('./object.tsx').then((m) => m.ObjectPage), 'The object page');
export const SearchPage = lazy(() => import('./search.tsx').then((m) => m.SearchPage), 'The search page');
export const DeletionsPage = lazy(
  () => import('./admin.tsx').then((m) => m.DeletionsPage),
  'The deletion requests page',
);
export const WebhooksPage = lazy(
  () => import('./admin.tsx').then((m) => m.WebhooksPage),
  'The webhooks page',
);
export const RecordingsPage = lazy(
  () => import('../recorder/recordings.page.tsx').then((m) => m.RecordingsPage),
  'The recordings page',
);
export const ReplicationsPage = lazy(
  () => import('../replication/replications.page.tsx').then((m) => m.ReplicationsPage),
  'The replication page',
);
