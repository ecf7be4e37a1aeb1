// Fails when the documentation points nowhere or the README grows past a screenful of screens.
// Checks README.md, PRIVACY.md, CHANGELOG.md and every docs/**/*.md: each relative link or image
// (inline, or a reference definition) must name a file or folder that exists inside the
// repository, and a `#fragment` on a Markdown target must be one of its headings' anchors as
// GitHub makes them. README.md may have at most 300 lines.
// Markdown is parsed by mdast-util-from-markdown (CommonMark: links in code are not links) and
// anchors are made by github-slugger (GitHub's own algorithm, duplicates numbered -1, -2, …),
// so neither rule is guessed here. Links with a scheme (https:, mailto:) are not checked.
// Usage: node scripts/check-docs.mjs [repository root]   (exit 1 and one line per problem)
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import GithubSlugger from "github-slugger";
import { fromMarkdown } from "mdast-util-from-markdown";
import { toString } from "mdast-util-to-string";

const README_MAX_LINES = 300;

const root = resolve(process.argv[2] ?? ".");
const problems = [];
/** Anchors of each Markdown file read so far, by absolute path. */
const anchorCache = new Map();

/** Every node of an mdast tree, depth first. */
function* walk(node) {
  yield node;
  for (const child of node.children ?? []) yield* walk(child);
}

/** The anchors GitHub gives a Markdown file: one per heading, plus explicit `<a id|name="…">`. */
function anchorsOf(file) {
  let anchors = anchorCache.get(file);
  if (anchors) return anchors;
  anchors = new Set();
  const slugger = new GithubSlugger();
  for (const node of walk(fromMarkdown(readFileSync(file, "utf8")))) {
    if (node.type === "heading") anchors.add(slugger.slug(toString(node)));
    if (node.type === "html") {
      for (const m of node.value.matchAll(/\b(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
    }
  }
  anchorCache.set(file, anchors);
  return anchors;
}

/** The files to check, as absolute paths: the three top-level documents and docs/ whole. */
function documents() {
  const files = ["README.md", "PRIVACY.md", "CHANGELOG.md"]
    .map((f) => join(root, f))
    .filter((f) => existsSync(f));
  const docs = join(root, "docs");
  if (existsSync(docs)) {
    for (const entry of readdirSync(docs, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith(".md")) {
        files.push(join(entry.parentPath, entry.name));
      }
    }
  }
  return files.sort();
}

function check(file) {
  const name = relative(root, file);
  const text = readFileSync(file, "utf8");
  if (name === "README.md") {
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    if (lines > README_MAX_LINES) {
      problems.push(
        `README.md: ${lines} lines, at most ${README_MAX_LINES}: move detail into a page in docs/`,
      );
    }
  }
  let links = 0;
  for (const node of walk(fromMarkdown(text))) {
    if (!["link", "image", "definition"].includes(node.type)) continue;
    const url = node.url;
    // A scheme (https:, mailto:) or a protocol-relative URL leaves the repository.
    if (/^[a-z][a-z\d+.-]*:/i.test(url) || url.startsWith("//")) continue;
    links++;
    const where = `${name}:${node.position.start.line}`;
    const hash = url.indexOf("#");
    let path = hash === -1 ? url : url.slice(0, hash);
    const fragment = hash === -1 ? "" : url.slice(hash + 1);
    const query = path.indexOf("?");
    if (query !== -1) path = path.slice(0, query);
    let decoded;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      problems.push(`${where}: "${url}" is not a valid URL`);
      continue;
    }
    // On GitHub a path starting with / is taken from the repository's root.
    const target =
      decoded === ""
        ? file
        : decoded.startsWith("/")
          ? join(root, decoded)
          : resolve(dirname(file), decoded);
    if (target !== root && !target.startsWith(root + sep)) {
      problems.push(`${where}: "${url}" leaves the repository`);
      continue;
    }
    if (!existsSync(target)) {
      problems.push(`${where}: "${url}": no such file ${relative(root, target)}`);
      continue;
    }
    if (fragment && target.endsWith(".md") && statSync(target).isFile()) {
      let anchor = fragment;
      try {
        anchor = decodeURIComponent(fragment);
      } catch {
        // Left as written: it then matches no heading and is reported below.
      }
      if (!anchorsOf(target).has(anchor)) {
        problems.push(
          `${where}: "${url}": ${relative(root, target)} has no heading with the anchor #${anchor}`,
        );
      }
    }
  }
  return links;
}

const files = documents();
let links = 0;
for (const file of files) links += check(file);

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  console.error(`check-docs: ${problems.length} problem(s) in ${files.length} files`);
  process.exit(1);
}
console.log(`check-docs: ${files.length} files, ${links} relative links, all found`);
