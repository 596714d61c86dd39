/**
 * Failures of the local disk the server writes (the embedded database, its journal, the fs media
 * store): full, over quota, read-only, failing. They are the server's condition, not the
 * request's: writes are refused with 507 Insufficient Storage (full, quota) or 503 (read-only,
 * I/O errors) until it passes, and reads go on.
 */
export type StorageFailure = 'full' | 'quota' | 'read_only' | 'io';

const BY_CODE: Readonly<Record<string, StorageFailure>> = {
  ENOSPC: 'full',
  EDQUOT: 'quota',
  EROFS: 'read_only',
  EIO: 'io',
};

/** The storage failure a Node.js file system error reports (its `code`), if it is one. */
export function storageFailureOf(error: unknown): StorageFailure | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === undefined ? undefined : BY_CODE[code];
}

/** What a failure means for the client, in words that name no path. */
export const STORAGE_REASONS: Readonly<Record<StorageFailure, string>> = {
  full: 'the disk holding its files is full (no space left on device)',
  quota: 'its disk quota is used up (disk quota exceeded)',
  read_only: 'the disk holding its files is read-only',
  io: 'the disk holding its files fails to write (input/output error)',
};

/** 507 Insufficient Storage while space lacks; 503 while the disk cannot be written at all. */
export function storageStatus(failure: StorageFailure): 503 | 507 {
  return failure === 'full' || failure === 'quota' ? 507 : 503;
}
