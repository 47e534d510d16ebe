/**
 * CLI start-up benchmark: the wall time of `verity --help` (bin/verity, the compiled CLI in dist/) against bare
 * `node -e ""` measured in the same run, interleaved, median of several runs each, and their ratio. Target: ≤ 5×.
 * Exits 1 when the ratio is above the target. Build first (`npm run bench:cli` does).
 *
 *   npm run bench:cli
 *   npm run bench:cli -- --runs 21 --json
 */
import { execFileSync } from "node:child_process";
import path from "node:path";

const TARGET_RATIO = 5;
const runsFlag = process.argv.indexOf("--runs");
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 11;
const json = process.argv.includes("--json");
const bin = path.resolve(__dirname, "..", "bin", "verity");

/** Milliseconds one child process takes from spawn to exit. */
function time(args: string[]): number {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, args, { stdio: "ignore" });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs: a positive integer");
time([bin, "--help"]); // warm the file cache once
const node: number[] = [];
const verity: number[] = [];
for (let run = 0; run < runs; run++) {
  node.push(time(["-e", ""]));
  verity.push(time([bin, "--help"]));
}
const result = {
  runs,
  nodeMs: Math.round(median(node)),
  verityHelpMs: Math.round(median(verity)),
  ratio: Number((median(verity) / median(node)).toFixed(2)),
  target: TARGET_RATIO,
};
if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  process.stdout.write(
    `verity --help: ${result.verityHelpMs} ms, bare node: ${result.nodeMs} ms (median of ${runs} runs each): ` +
      `${result.ratio}× (target ≤ ${TARGET_RATIO}×)\n`,
  );
}
process.exitCode = result.ratio <= TARGET_RATIO ? 0 : 1;
