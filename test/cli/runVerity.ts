import { main } from "../../src/cli/verity";

/** What one in-process run of the CLI printed and returned. */
export interface VerityRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `verity <args>` in this process through `main(argv)`, with `env` set for the run only, capturing stdout and
 * stderr. Not re-entrant (one run at a time).
 */
export async function runVerity(args: string[], env: Record<string, string | undefined> = {}): Promise<VerityRun> {
  const saved: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(env)) {
    saved[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  let stdout = "";
  let stderr = "";
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(["node", "verity", ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** Parses the JSON a `--json` run printed, failing with its stderr when it did not succeed. */
export function parseJsonRun<T = Record<string, unknown>>(run: VerityRun): T {
  if (run.code !== 0) throw new Error(`verity exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** A loopback URL where nothing listens (port 9 is discard; connections are refused). */
export const DEAD_RPC_URL = "http://127.0.0.1:9";
