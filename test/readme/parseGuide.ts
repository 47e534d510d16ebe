/**
 * Reads the README's "First ten minutes" guide: every ```sh block preceded by `<!-- guide: <role> [background]
 * [health=<url>] -->`, and the ```text block after `<!-- guide: output -->` that shows what the block before prints.
 */

/** The roles in the guide; every one must have at least one block. */
export const GUIDE_ROLES = [
  "chain",
  "deploy",
  "model-owner",
  "node-operator",
  "keeper-operator",
  "consumer",
  "verifier",
] as const;

export type GuideRole = (typeof GUIDE_ROLES)[number];

/** One marked shell block, in README order. */
export interface GuideStep {
  role: GuideRole;
  /** A service the reader starts in a terminal of its own (the test starts it as a process). */
  background: boolean;
  /** The URL that answers once the service is up (background steps only). */
  health: string | undefined;
  code: string;
  /** 1-based line of the marker in the README. */
  line: number;
  /** The lines of the `guide: output` block shown after it (`…` stands for anything), if any. */
  expected: string[];
}

/** The README's guide is malformed (orphaned marker, unknown role, a role without a block, an unmarked block). */
export class GuideFormatError extends Error {
  override name = "GuideFormatError";
}

const MARKER = /^<!--\s*guide:\s*(.*?)\s*-->\s*$/;
const SECTION = "## First ten minutes";

/** Parses the guide section of `markdown`; throws GuideFormatError naming the README line of each problem. */
export function parseGuide(markdown: string): GuideStep[] {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => line.trim() === SECTION);
  if (start < 0) throw new GuideFormatError(`README has no "${SECTION}" section`);
  const next = lines.findIndex((line, index) => index > start && /^## /.test(line));
  const end = next < 0 ? lines.length : next;
  const problems: string[] = [];
  const steps: GuideStep[] = [];

  /** The fenced block right after line `index` (blank lines allowed between), with the index after its end. */
  const fenceAfter = (index: number, language: string) => {
    let at = index + 1;
    while (at < end && lines[at]!.trim() === "") at++;
    if (lines[at]?.trim() !== "```" + language) return undefined;
    const close = lines.findIndex((line, i) => i > at && line.trim() === "```");
    if (close < 0 || close >= end) return undefined;
    return { body: lines.slice(at + 1, close), fenceLine: at, after: close };
  };

  for (let index = start + 1; index < end; index++) {
    const line = lines[index]!;
    const marker = MARKER.exec(line.trim());
    if (!marker) {
      if (line.trim() === "```sh")
        problems.push(`line ${index + 1}: a sh block without a guide marker (nothing runs it)`);
      continue;
    }
    const [role, ...flags] = marker[1]!.split(/\s+/);
    if (role === "output") {
      const fence = fenceAfter(index, "text");
      if (!fence) problems.push(`line ${index + 1}: "guide: output" is not followed by a text block`);
      else if (steps.length === 0) problems.push(`line ${index + 1}: "guide: output" before any guide block`);
      else steps[steps.length - 1]!.expected.push(...fence.body.filter((text) => text.trim() !== ""));
      if (fence) index = fence.after;
      continue;
    }
    if (!(GUIDE_ROLES as readonly string[]).includes(role!)) {
      problems.push(`line ${index + 1}: unknown guide role "${role}" (known: ${GUIDE_ROLES.join(", ")}, output)`);
      continue;
    }
    const fence = fenceAfter(index, "sh");
    if (!fence) {
      problems.push(`line ${index + 1}: orphaned marker "guide: ${marker[1]}": no sh block follows it`);
      continue;
    }
    const background = flags.includes("background");
    const health = flags.find((flag) => flag.startsWith("health="))?.slice("health=".length);
    const unknown = flags.filter((flag) => flag !== "background" && !flag.startsWith("health="));
    if (unknown.length > 0) problems.push(`line ${index + 1}: unknown guide flag(s) ${unknown.join(", ")}`);
    if (health !== undefined && !background) problems.push(`line ${index + 1}: health= only goes with background`);
    steps.push({
      role: role as GuideRole,
      background,
      health,
      code: fence.body.join("\n"),
      line: index + 1,
      expected: [],
    });
    index = fence.after;
  }
  for (const role of GUIDE_ROLES) {
    if (!steps.some((step) => step.role === role)) problems.push(`no block for the role "${role}"`);
  }
  if (problems.length > 0) throw new GuideFormatError(`README "${SECTION}":\n  ${problems.join("\n  ")}`);
  return steps;
}

/** Collapses runs of whitespace, so table padding does not matter. */
function normalize(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * The expected lines that no line of `output` shows: each expected line is split at `…`, and some output line must
 * hold its pieces in order (whitespace runs count as one space).
 */
export function findMissingOutput(expected: readonly string[], output: string): string[] {
  const actual = output.split("\n").map(normalize);
  return expected.filter((line) => {
    const pieces = normalize(line)
      .split("…")
      .map((piece) => piece.trim())
      .filter((piece) => piece !== "");
    return !actual.some((candidate) => {
      let from = 0;
      for (const piece of pieces) {
        const at = candidate.indexOf(piece, from);
        if (at < 0) return false;
        from = at + piece.length;
      }
      return true;
    });
  });
}
