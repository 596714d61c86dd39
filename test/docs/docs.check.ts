/**
 * Checks of the project's documents: links between them resolve (the file, and the heading a
 * `#fragment` names), every page of docs/ is linked from README.md, and the commands they show
 * name npm scripts package.json has and files that exist. Pure functions over the files' texts,
 * so that the test can also hold them to documents made to fail.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/** A document: its path relative to the repository and its text. */
export interface Doc {
  path: string;
  text: string;
}

/** What the checks may look up besides the documents. */
export interface Repo {
  /** Whether a path relative to the repository exists. */
  exists(path: string): boolean;
  /** The names of package.json's scripts. */
  scripts: ReadonlySet<string>;
}

const FENCE = /^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm;

/** The text without its fenced code blocks (headings and links are not read inside them). */
function prose(text: string): string {
  return text.replace(FENCE, '');
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}_\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown text's headings, with GitHub's `-1`, `-2` for repeated ones. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const match of prose(text).matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const base = slug(match[1] as string);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.add(count === 0 ? base : `${base}-${count}`);
  }
  return out;
}

/** The targets of a text's inline links and images, outside code blocks and code spans. */
export function links(text: string): string[] {
  const noCode = prose(text).replace(/`[^`\n]*`/g, '');
  return [...noCode.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (m) => m[1] as string,
  );
}

/** Code: fenced blocks and code spans, where commands are written. */
function code(text: string): string {
  const blocks = [...text.matchAll(FENCE)].map((m) => m[0]);
  const spans = [...text.replace(FENCE, '').matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string);
  return [...blocks, ...spans].join('\n');
}

/** `npm run <script>` names in a text's code. */
export function npmScripts(text: string): string[] {
  return [...code(text).matchAll(/\bnpm run ([A-Za-z0-9:._-]+)/g)].map((m) => m[1] as string);
}

/** Files a text's commands run: `node`, `npx tsx`, `bash`, `npx vitest run` of a path. */
export function commandFiles(text: string): string[] {
  const runner =
    /(?:\bnode(?: --import tsx)?|\bnpx tsx|\btsx|\bbash|\bnpx vitest run)\s+([\w./-]+\.(?:ts|mjs|js|sh|py))\b/g;
  return [...code(text).matchAll(runner)].map((m) => m[1] as string);
}

/** Every problem of the documents, one line each; none when they are sound. */
export function docProblems(docs: readonly Doc[], repo: Repo, index = 'README.md'): string[] {
  const problems: string[] = [];
  const byPath = new Map(docs.map((d) => [d.path, d]));
  const anchorsOf = new Map<string, Set<string>>();
  const headings = (path: string): Set<string> | undefined => {
    const doc = byPath.get(path);
    if (!doc) return undefined;
    let found = anchorsOf.get(path);
    if (!found) {
      found = anchors(doc.text);
      anchorsOf.set(path, found);
    }
    return found;
  };

  for (const doc of docs) {
    for (const target of links(doc.text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: and the like
      const [file = '', fragment] = target.split('#', 2);
      const path = file === '' ? doc.path : normalize(join(dirname(doc.path), file));
      if (path.startsWith('..')) {
        problems.push(`${doc.path}: link ${target} leaves the repository`);
        continue;
      }
      if (file !== '' && !byPath.has(path) && !repo.exists(path)) {
        problems.push(`${doc.path}: link ${target}: ${path} does not exist`);
        continue;
      }
      if (fragment === undefined || fragment === '') continue;
      const found = headings(path);
      if (!found) {
        if (path.endsWith('.md')) problems.push(`${doc.path}: link ${target}: ${path} is not checked`);
        continue;
      }
      if (!found.has(fragment))
        problems.push(`${doc.path}: link ${target}: ${path} has no heading #${fragment}`);
    }
    for (const script of npmScripts(doc.text)) {
      if (!repo.scripts.has(script))
        problems.push(`${doc.path}: npm run ${script}: package.json has no such script`);
    }
    for (const file of commandFiles(doc.text)) {
      if (!repo.exists(file)) problems.push(`${doc.path}: a command runs ${file}, which does not exist`);
    }
  }

  const readme = byPath.get(index);
  if (readme) {
    const linked = new Set(
      links(readme.text)
        .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t))
        .map((t) => normalize(join(dirname(index), t.split('#', 1)[0] as string))),
    );
    for (const doc of docs) {
      if (doc.path.startsWith('docs/') && !linked.has(doc.path)) {
        problems.push(`${index} does not link ${doc.path}`);
      }
    }
  }
  return problems;
}

/** The Markdown files under `dir` (relative to `root`), skipping dependencies and build output. */
function markdownUnder(root: string, dir: string): string[] {
  const full = join(root, dir);
  if (!existsSync(full)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(full, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...markdownUnder(root, path));
    else if (entry.name.endsWith('.md')) out.push(path);
  }
  return out;
}

/** The repository's documents: README.md, BENCHMARKS.md, docs/ and the READMEs beside the code. */
export function repositoryDocs(root: string): { docs: Doc[]; repo: Repo } {
  const paths = [
    'README.md',
    'BENCHMARKS.md',
    ...['docs', 'src', 'test', 'bench', 'scripts', 'mgmt', 'ui', 'helm', 'docker'].flatMap((d) =>
      markdownUnder(root, d),
    ),
  ].filter((p) => existsSync(join(root, p)));
  const docs = paths.map((path) => ({
    path: relative(root, join(root, path)),
    text: readFileSync(join(root, path), 'utf8'),
  }));
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  return {
    docs,
    repo: { exists: (p) => existsSync(join(root, p)), scripts: new Set(Object.keys(pkg.scripts ?? {})) },
  };
}
