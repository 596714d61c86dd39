import type { DbSession } from '../../db/db.types.ts';
import type { RepoSet, StoreSession } from '../../store/store.ts';
import { ExrChildrenRepo } from './exr.children.repo.ts';
import { ExrFilesRepo } from './exr.files.repo.ts';
import { ExrFramesRepo } from './exr.frames.repo.ts';
import { ExrStateRepo } from './exr.state.repo.ts';

/** The EXR metadata tables, on one session (the store's, or a transaction's). */
export class ExrRepos {
  readonly files: ExrFilesRepo;
  readonly children: ExrChildrenRepo;
  readonly frames: ExrFramesRepo;
  readonly state: ExrStateRepo;

  constructor(db: DbSession) {
    this.files = new ExrFilesRepo(db);
    this.children = new ExrChildrenRepo(db);
    this.frames = new ExrFramesRepo(db);
    this.state = new ExrStateRepo(db);
  }
}

const EXR: RepoSet<ExrRepos> = { open: (db) => new ExrRepos(db) };

/** The EXR metadata tables on `store`'s session (the root's, or a transaction's). */
export function exrRepos(store: StoreSession): ExrRepos {
  return store.repos(EXR);
}
