import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Stats } from "./measure";

const CLOCK_TICKS = 100;

/** CPU seconds (user + system, all threads) a process has used, from /proc (Linux). */
export function cpuSecondsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Peak resident set size of a process so far (VmHWM), in bytes, from /proc (Linux). */
export function peakRssOf(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) * 1024 : 0;
}

/** Median, min and max, rounded to `digits` decimals. */
export function statsOf(values: number[], digits = 0): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const round = (v: number) => Math.round(v * 10 ** digits) / 10 ** digits;
  return { median: round(median), min: round(sorted[0]!), max: round(sorted[sorted.length - 1]!) };
}

/** A service started in a child process by one of this directory's `*Process.ts` scripts. */
export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Runs `script` (in this directory) under ts-node with `config` as JSON in argv[2], and waits for its "ready <url>"
 * line on stdout.
 */
export async function startServiceProcess(
  script: string,
  config: object,
  env: Record<string, string> = {},
  execArgv: string[] = [],
): Promise<ServiceProcess> {
  const child = spawn(
    process.execPath,
    [...execArgv, "-r", "ts-node/register/transpile-only", path.join(__dirname, script), JSON.stringify(config)],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let seen = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /ready (\S+)/.exec(seen);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`${script} exited (${code}) before it was ready`)));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
