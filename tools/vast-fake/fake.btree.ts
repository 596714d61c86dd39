/**
 * A persistent (immutable, path-copying) B+tree: every write returns a new tree sharing all the
 * nodes it did not touch with the old one. The fake's tables are values (a transaction's view, a
 * snapshot, the committed state are each one value), so a write must not copy a whole table: with
 * this tree an insert, update or delete costs O(log n) nodes, and every older value stays valid.
 *
 * All leaves are at the same depth (the tree grows and shrinks at the root). A node that a delete
 * leaves small is merged with a neighbour, so the tree stays about as compact as its size.
 */

export type Compare<K> = (a: K, b: K) => number;

/** Entries per node at most; a fuller node splits in two. */
const MAX = 64;
/** A node below this after a delete is merged with a neighbour. */
const MIN = MAX / 4;

interface Leaf<K, V> {
  readonly keys: readonly K[];
  readonly values: readonly V[];
  readonly children?: undefined;
}
/** `keys[i]` is the largest key under `children[i]`. */
interface Inner<K, V> {
  readonly keys: readonly K[];
  readonly children: readonly Node<K, V>[];
}
type Node<K, V> = Leaf<K, V> | Inner<K, V>;

const NOT_FOUND = Symbol('not found');

/** First index whose key is >= `k` (keys.length when none). */
function lowerBound<K>(keys: readonly K[], k: K, cmp: Compare<K>): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(keys[mid] as K, k) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const last = <K>(keys: readonly K[]): K => keys[keys.length - 1] as K;

function make<K, V>(keys: K[], parts: V[] | Node<K, V>[], leaf: boolean): Node<K, V> {
  return leaf ? { keys, values: parts as V[] } : { keys, children: parts as Node<K, V>[] };
}

/** One node, or as few as hold the entries at MAX each, filled evenly. */
function chunks<K, V>(keys: K[], parts: V[] | Node<K, V>[], leaf: boolean): Node<K, V>[] {
  if (keys.length <= MAX) return [make(keys, parts, leaf)];
  const size = Math.ceil(keys.length / Math.ceil(keys.length / MAX));
  const out: Node<K, V>[] = [];
  for (let at = 0; at < keys.length; at += size) {
    out.push(make(keys.slice(at, at + size), parts.slice(at, at + size) as V[] | Node<K, V>[], leaf));
  }
  return out;
}

const partsOf = <K, V>(n: Node<K, V>): V[] | Node<K, V>[] => (n.children ?? n.values) as V[] | Node<K, V>[];

export class PTree<K, V> {
  private constructor(
    private readonly cmp: Compare<K>,
    private readonly root: Node<K, V> | null,
    /** Number of entries. */
    readonly size: number,
  ) {}

  static empty<K, V>(cmp: Compare<K>): PTree<K, V> {
    return new PTree<K, V>(cmp, null, 0);
  }

  /** A tree of entries already sorted by key, without repeats (built bottom-up in O(n)). */
  static fromSorted<K, V>(cmp: Compare<K>, keys: readonly K[], values: readonly V[]): PTree<K, V> {
    if (keys.length === 0) return PTree.empty(cmp);
    let level: Node<K, V>[] = [];
    for (let at = 0; at < keys.length; at += MAX) {
      level.push({ keys: keys.slice(at, at + MAX), values: values.slice(at, at + MAX) });
    }
    while (level.length > 1) {
      const up: Node<K, V>[] = [];
      for (let at = 0; at < level.length; at += MAX) {
        const children = level.slice(at, at + MAX);
        up.push({ keys: children.map((c) => last(c.keys)), children });
      }
      level = up;
    }
    return new PTree(cmp, level[0] as Node<K, V>, keys.length);
  }

  get(k: K): V | undefined {
    let node = this.root;
    if (node === null) return undefined;
    while (node.children !== undefined) {
      const i: number = lowerBound(node.keys, k, this.cmp);
      if (i === node.keys.length) return undefined;
      node = node.children[i] as Node<K, V>;
    }
    const i = lowerBound(node.keys, k, this.cmp);
    return i < node.keys.length && this.cmp(node.keys[i] as K, k) === 0 ? node.values[i] : undefined;
  }

  /** Adds the entry, or replaces the value of an equal key. */
  set(k: K, v: V): PTree<K, V> {
    return this.setMany([k], [v]);
  }

  /**
   * Adds the entries (keys sorted, without repeats), replacing the values of equal keys. Each
   * node on their paths is copied once for them all: a batch of appended rows costs about the
   * leaves it fills, not a path copy per row.
   */
  setMany(ks: readonly K[], vs: readonly V[]): PTree<K, V> {
    if (ks.length === 0) return this;
    const cmp = this.cmp;
    let added = 0;
    const put = (node: Node<K, V>, lo: number, hi: number): Node<K, V>[] => {
      if (node.children === undefined) {
        const keys: K[] = [];
        const values: V[] = [];
        let i = 0;
        let j = lo;
        while (i < node.keys.length || j < hi) {
          const c = i === node.keys.length ? 1 : j === hi ? -1 : cmp(node.keys[i] as K, ks[j] as K);
          if (c < 0) {
            keys.push(node.keys[i] as K);
            values.push(node.values[i++] as V);
            continue;
          }
          if (c === 0) i++;
          else added++;
          keys.push(ks[j] as K);
          values.push(vs[j++] as V);
        }
        return chunks(keys, values, true);
      }
      const keys: K[] = [];
      const children: Node<K, V>[] = [];
      let j = lo;
      node.children.forEach((child, c) => {
        let end = hi; // beyond every key: into the last child
        if (c < node.children.length - 1) {
          end = j;
          while (end < hi && cmp(ks[end] as K, node.keys[c] as K) <= 0) end++;
        }
        const made = end === j ? [child] : put(child, j, end);
        for (const m of made) {
          keys.push(last(m.keys));
          children.push(m);
        }
        j = end;
      });
      return chunks(keys, children, false);
    };
    let made: Node<K, V>[] =
      this.root === null ? chunks(ks.slice(), vs.slice(), true) : put(this.root, 0, ks.length);
    if (this.root === null) added = ks.length;
    while (made.length > 1)
      made = chunks(
        made.map((m) => last(m.keys)),
        made,
        false,
      );
    return new PTree(cmp, made[0] as Node<K, V>, this.size + added);
  }

  /** Removes the entry of key `k`; the same tree when there is none. */
  delete(k: K): PTree<K, V> {
    const cmp = this.cmp;
    const drop = (node: Node<K, V>): Node<K, V> | null | typeof NOT_FOUND => {
      const i = lowerBound(node.keys, k, cmp);
      if (i === node.keys.length) return NOT_FOUND;
      if (node.children === undefined) {
        if (cmp(node.keys[i] as K, k) !== 0) return NOT_FOUND;
        if (node.keys.length === 1) return null;
        const keys = node.keys.slice();
        const values = node.values.slice();
        keys.splice(i, 1);
        values.splice(i, 1);
        return { keys, values };
      }
      const child = drop(node.children[i] as Node<K, V>);
      if (child === NOT_FOUND) return NOT_FOUND;
      const keys = node.keys.slice();
      const children = node.children.slice();
      if (child === null) {
        keys.splice(i, 1);
        children.splice(i, 1);
        return keys.length === 0 ? null : { keys, children };
      }
      keys[i] = last(child.keys);
      children[i] = child;
      if (child.keys.length < MIN && children.length > 1) {
        const j = i + 1 < children.length ? i : i - 1; // merge children j and j + 1
        const a = children[j] as Node<K, V>;
        const b = children[j + 1] as Node<K, V>;
        const leaf = a.children === undefined;
        const merged = chunks(
          [...a.keys, ...b.keys],
          [...partsOf(a), ...partsOf(b)] as V[] | Node<K, V>[],
          leaf,
        );
        keys.splice(j, 2, ...merged.map((m) => last(m.keys)));
        children.splice(j, 2, ...merged);
      }
      return { keys, children };
    };
    if (this.root === null) return this;
    let root = drop(this.root);
    if (root === NOT_FOUND) return this;
    while (root !== null && root.children !== undefined && root.children.length === 1) {
      root = root.children[0] as Node<K, V>;
    }
    return new PTree(cmp, root, this.size - 1);
  }

  /**
   * Calls `visit` for each entry with a key >= `from` (every entry when undefined), in key order,
   * until it returns false.
   */
  walk(from: K | undefined, visit: (k: K, v: V) => boolean): void {
    const cmp = this.cmp;
    const go = (node: Node<K, V>, bound: K | undefined): boolean => {
      const start = bound === undefined ? 0 : lowerBound(node.keys, bound, cmp);
      if (node.children === undefined) {
        for (let i = start; i < node.keys.length; i++) {
          if (!visit(node.keys[i] as K, node.values[i] as V)) return false;
        }
        return true;
      }
      for (let i = start; i < node.children.length; i++) {
        // Past the first child every key is above the bound.
        if (!go(node.children[i] as Node<K, V>, i === start ? bound : undefined)) return false;
      }
      return true;
    };
    if (this.root !== null) go(this.root, from);
  }
}
