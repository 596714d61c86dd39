import { createHash } from 'node:crypto';

/**
 * What a catalogued file is: a TAMS media object (by its id), or bytes posted to /exr/inspect
 * (by the path the client gave them). A file's id is the SHA-256 of its identity and header
 * hash, so inspecting the same file again finds its row (idempotent), and a changed header
 * makes a new row.
 */
export type FileIdentity =
  | { kind: 'object'; objectId: string; storageId?: string; path: string }
  | { kind: 'path'; path: string };

/** 32 hex digits (128 bits of SHA-256): unique in any catalogue, short in URLs. */
export function fileId(identity: FileIdentity, headerHash: string | undefined): string {
  const who =
    identity.kind === 'object' ? `object:${identity.objectId}` : `path:${normalizePath(identity.path)}`;
  // A file that could not be parsed has no header: one failure row per identity.
  return createHash('sha256')
    .update(`${who}\n${headerHash ?? 'failed'}`)
    .digest('hex')
    .slice(0, 32);
}

/** SHA-256 of the header's bytes (magic to the end of the last part's attributes), hex. */
export function headerHash(header: Uint8Array): string {
  return createHash('sha256').update(header).digest('hex');
}

/**
 * The path as the catalogue compares paths (exr-inspector's `file_path_normalized`): `\` as `/`,
 * no repeated `/`, no `.` segments, lower case. Object keys and client paths are not resolved
 * against any file system (the tool resolves symbolic links; there are none here).
 */
export function normalizePath(path: string): string {
  return path
    .replaceAll('\\', '/')
    .split('/')
    .filter((segment, i) => segment !== '.' && (segment !== '' || i === 0))
    .join('/')
    .toLowerCase();
}
