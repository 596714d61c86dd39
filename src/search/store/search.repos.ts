import type { DbSession } from '../../db/db.types.ts';
import type { RepoSet, StoreSession } from '../../store/store.ts';
import { SearchDocsRepo } from './search.docs.repo.ts';
import { SearchIndexRepo } from './search.index.repo.ts';
import { SearchItemsRepo } from './search.items.repo.ts';
import { TranscriptsRepo } from './search.transcripts.repo.ts';
import { SearchVectorsRepo } from './search.vectors.repo.ts';

/** The media search's tables, on one session (the store's, or a transaction's). */
export class SearchRepos {
  readonly docs: SearchDocsRepo;
  readonly index: SearchIndexRepo;
  readonly items: SearchItemsRepo;
  readonly transcripts: TranscriptsRepo;
  readonly vectors: SearchVectorsRepo;

  constructor(db: DbSession) {
    this.docs = new SearchDocsRepo(db);
    this.index = new SearchIndexRepo(db);
    this.items = new SearchItemsRepo(db);
    this.transcripts = new TranscriptsRepo(db);
    this.vectors = new SearchVectorsRepo(db);
  }
}

const SEARCH: RepoSet<SearchRepos> = { open: (db) => new SearchRepos(db) };

/** The media search's tables on `store`'s session (the root's, or a transaction's). */
export function searchRepos(store: StoreSession): SearchRepos {
  return store.repos(SEARCH);
}
