/** The storage index byte of a segment with no storage (an external object). */
export const NO_STORAGE = 255;

/**
 * Storage backend ids, few per store, interned to one byte per segment. Shared by every Flow's
 * index so a backend costs one string for the whole store. Indices never change once given out,
 * since packed segments refer to them.
 */
export class StorageIds {
  private readonly ids: string[] = [];
  private readonly indices = new Map<string, number>();

  /** The byte for `id`; undefined once the 255 usable values are taken (the caller keeps the string). */
  intern(id: string): number | undefined {
    const known = this.indices.get(id);
    if (known !== undefined) return known;
    if (this.ids.length >= NO_STORAGE) return undefined;
    const index = this.ids.length;
    this.ids.push(id);
    this.indices.set(id, index);
    return index;
  }

  id(index: number): string {
    const id = this.ids[index];
    if (id === undefined) throw new Error(`no storage id interned at ${index}`);
    return id;
  }

  get size(): number {
    return this.ids.length;
  }
}
