/**
 * Cycles between the server's folders: one area importing another that imports it back, through
 * whatever files. dependency-cruiser checks cycles between files; this checks the folders of src/
 * (each top-level folder, e.g. src/embedded with embedded/index and embedded/cache, is one node; a file
 * directly in src/ is a node of its own), over its JSON output. A test kit counts as part of the
 * folder it serves (test/support/store/… as src/store); the tools (tools/vast-fake, …) and the
 * test helpers (each file of test/helpers/) are nodes too, so that a kit reaching up through one
 * of them closes a cycle as a direct import would.
 */

export interface CruisedModule {
  source: string;
  dependencies: readonly { resolved: string }[];
}

/** A cycle of folders: each imports the next, the last the first. */
export interface FolderCycle {
  folders: string[];
  /** For each step, the file imports that make it. */
  steps: { from: string; to: string; files: string[] }[];
}

/** Imports that do not count: tests, which may reach across the layers. */
const TESTS = [/[.]test[.]ts$/];

/** Composition roots: they build everything, so they import every area without belonging to one. */
const COMPOSITION_ROOTS = [/^src\/(main|app|deps|deps[.][a-z]+)[.]ts$/];

/**
 * The folder node of a file: src/<folder> for src/ and its test kits (test/support/<folder>/),
 * tools/<tool> for a tool; a file directly in src/, test/support/ or tools/, or in test/helpers/,
 * is a node of its own. Undefined for files elsewhere (tests, bench/, scripts/, mgmt/).
 */
export function folderOf(path: string): string | undefined {
  const parts = path.split('/');
  const [top, second] = parts;
  if (top === 'test' && second === 'support') return parts.length === 3 ? path : `src/${parts[2]}`;
  if (top === 'test' && second === 'helpers') return path;
  if ((top !== 'src' && top !== 'tools') || parts.length < 2) return undefined;
  return parts.length === 2 ? path : `${top}/${second}`;
}

export function folderCycles(modules: readonly CruisedModule[]): FolderCycle[] {
  const edges = new Map<string, Map<string, string[]>>();
  for (const m of modules) {
    const from = folderOf(m.source);
    if (from === undefined) continue;
    if (TESTS.some((re) => re.test(m.source)) || COMPOSITION_ROOTS.some((re) => re.test(m.source))) continue;
    for (const d of m.dependencies) {
      const to = folderOf(d.resolved);
      if (to === undefined || to === from) continue;
      const targets = edges.get(from) ?? new Map<string, string[]>();
      edges.set(from, targets);
      const files = targets.get(to) ?? [];
      files.push(`${m.source} -> ${d.resolved}`);
      targets.set(to, files);
    }
  }
  // Within each tangle of folders, the shortest cycle through each import: a readable list of
  // what to untie (the tangle itself can span most of the server).
  const cycles = new Map<string, string[]>();
  for (const component of stronglyConnected(edges)) {
    const inside = new Set(component);
    for (const from of component) {
      for (const to of edges.get(from)?.keys() ?? []) {
        if (!inside.has(to)) continue;
        const path = shortestPath(edges, inside, to, from);
        if (path === undefined) continue;
        const cycle = [from, ...path.slice(0, -1)];
        const first = cycle.indexOf([...cycle].sort()[0] as string);
        const canonical = [...cycle.slice(first), ...cycle.slice(0, first)];
        cycles.set(canonical.join(' '), canonical);
      }
    }
  }
  return [...cycles.values()]
    .sort((x, y) => x.length - y.length || x.join(' ').localeCompare(y.join(' ')))
    .map((folders) => ({
      folders,
      steps: folders.map((from, i) => {
        const to = folders[(i + 1) % folders.length] as string;
        return { from, to, files: edges.get(from)?.get(to) ?? [] };
      }),
    }));
}

/** The folders from `start` to `goal` (both included) by the fewest imports, within `inside`. */
function shortestPath(
  edges: ReadonlyMap<string, ReadonlyMap<string, unknown>>,
  inside: ReadonlySet<string>,
  start: string,
  goal: string,
): string[] | undefined {
  const previous = new Map<string, string | undefined>([[start, undefined]]);
  const queue = [start];
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
    if (node === goal) {
      const path: string[] = [];
      for (let at: string | undefined = goal; at !== undefined; at = previous.get(at)) path.unshift(at);
      return path;
    }
    for (const next of edges.get(node)?.keys() ?? []) {
      if (inside.has(next) && !previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return undefined;
}

/** Tarjan's algorithm: the strongly connected components of more than one node. */
function stronglyConnected(edges: ReadonlyMap<string, ReadonlyMap<string, unknown>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) components.push(component);
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return components;
}
