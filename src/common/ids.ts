import { randomUUID } from 'node:crypto';

/** Injected so tests can predict identifiers; production uses random v4 UUIDs (the spec's pattern admits v1-v5). */
export interface IdGenerator {
  uuid(): string;
}

export const randomIds: IdGenerator = { uuid: () => randomUUID() };

export const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';
const uuidRe = new RegExp(UUID_PATTERN);

export function isUuid(value: string): boolean {
  return uuidRe.test(value);
}
