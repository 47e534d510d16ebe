/**
 * The committed gas snapshot (`gas-snapshot.json`): exact gas per benchmarked case. `npm run gas:snapshot` rewrites
 * it; `npm run gas:check` (run by `.ci/run`) fails on any difference, so every gas change is a deliberate, reviewed
 * update of the file.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Case name → exact gas used. */
export type GasSnapshot = Record<string, number>;

export const GAS_SNAPSHOT_PATH = path.join(__dirname, "..", "..", "gas-snapshot.json");

/** Writes `snapshot` to the committed file, keys in measurement order. */
export function writeGasSnapshot(snapshot: GasSnapshot, file = GAS_SNAPSHOT_PATH): void {
  writeFileSync(file, `${JSON.stringify(snapshot, null, 2)}\n`);
}

/** Lines describing every difference between the committed snapshot and `measured` (empty when equal). */
export function diffGasSnapshot(measured: GasSnapshot, file = GAS_SNAPSHOT_PATH): string[] {
  const committed = JSON.parse(readFileSync(file, "utf8")) as GasSnapshot;
  const lines: string[] = [];
  for (const [name, gas] of Object.entries(measured)) {
    const before = committed[name];
    if (before === undefined) lines.push(`+ ${name}: ${gas} (new case)`);
    else if (before !== gas) lines.push(`~ ${name}: ${before} → ${gas} (${gas > before ? "+" : ""}${gas - before})`);
  }
  for (const name of Object.keys(committed)) {
    if (!(name in measured)) lines.push(`- ${name}: ${committed[name]} (case no longer measured)`);
  }
  return lines;
}

/**
 * Applies the `GAS_SNAPSHOT` mode (`write` or `check`) to `measured`; returns the process exit code. `hardhat run`
 * forwards no flags, so the mode comes from the environment.
 */
export function applyGasSnapshotMode(measured: GasSnapshot, mode = process.env.GAS_SNAPSHOT): number {
  if (mode === "write") {
    writeGasSnapshot(measured);
    console.error(`gas snapshot written: ${GAS_SNAPSHOT_PATH}`);
    return 0;
  }
  if (mode !== "check") return 0;
  const diff = diffGasSnapshot(measured);
  if (diff.length === 0) {
    console.error(`gas snapshot matches (${Object.keys(measured).length} cases)`);
    return 0;
  }
  console.error("gas differs from gas-snapshot.json (run `npm run gas:snapshot` and commit it if deliberate):");
  for (const line of diff) console.error(`  ${line}`);
  return 1;
}
