import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const ROOT = path.resolve(__dirname, "..", "..");
const ENTRY = path.join(ROOT, "dist", "cli", "verity.js");
/** The `verity` executable a user runs (`node_modules/.bin/verity` links to it). */
export const BIN = path.join(ROOT, "bin", "verity");
const run = promisify(execFile);

/** The newest modification time of any file under `dir`, in ms. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Builds the CLI into `dist/` (`tsc -p tsconfig.build.json`, incremental) when `src/` changed since the last build,
 * so tests that spawn `bin/verity` run the code under test. `npm ci` builds through `prepare`; this covers a test run
 * after an edit.
 */
export function ensureCompiledCli(): void {
  const built = fs.existsSync(ENTRY) ? fs.statSync(ENTRY).mtimeMs : 0;
  if (built >= newestMtime(path.join(ROOT, "src"))) return;
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  fs.utimesSync(ENTRY, new Date(), new Date());
}

/** What one child-process run of the CLI printed and returned. */
export interface VerityBinRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real, compiled `bin/verity` in a child process, as a user would (call `ensureCompiledCli` first). */
export async function runVerityBin(args: string[], env: Record<string, string> = {}): Promise<VerityBinRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
