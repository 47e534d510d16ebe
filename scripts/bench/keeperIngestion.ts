import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Hex } from "viem";
import { type DeploymentRecord, writeDeploymentFile } from "../../src/chain/deployment";
import type { Stats } from "./measure";

/** How one keeper configuration is driven. */
export interface IngestionMode {
  name: string;
  /** Worker threads (0: the old inline path, one commit per request). */
  ingestWorkers: number;
  /** VERITY_SECP256K1=noble: recover with viem. */
  noble: boolean;
  /** Receipts per `POST /v1/receipts`. */
  perRequest: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Group commits fsync the WAL off the event loop (default true). */
  backgroundSync?: boolean;
}

export interface IngestionResult {
  mode: IngestionMode;
  receipts: number;
  runs: number;
  /** Receipts acknowledged (200) per wall-clock second, and per CPU-second of the keeper process (all threads). */
  wall: Stats;
  cpu: Stats;
}

const CLOCK_TICKS = 100;

/** CPU seconds (user + system, all threads) a process has used, from /proc (Linux). */
function cpuSecondsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median: Math.round(median), min: Math.round(sorted[0]!), max: Math.round(sorted[sorted.length - 1]!) };
}

async function startKeeperProcess(
  config: object,
  noble: boolean,
  execArgv: string[] = [],
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      ...execArgv,
      "-r",
      "ts-node/register/transpile-only",
      path.join(__dirname, "keeperProcess.ts"),
      JSON.stringify(config),
    ],
    {
      env: { ...process.env, ...(noble ? { VERITY_SECP256K1: "noble" } : {}) },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      const match = /ready (\S+)/.exec(chunk.toString());
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`keeper process exited (${code}) before it was ready`)));
  });
  return { child, url };
}

/**
 * Posts `items` (JSON receipt items, already signed) to a fresh keeper process per run, `mode.perRequest` per
 * request with `mode.concurrency` in flight, and measures receipts acknowledged per second and per CPU-second of
 * the keeper process. Every run checks that every receipt was accepted exactly once.
 */
export async function measureIngestion(parameters: {
  mode: IngestionMode;
  items: readonly unknown[];
  runs: number;
  rpcUrl: string;
  deployment: DeploymentRecord;
  key: Hex;
  dir: string;
  /** Node options of the first run's keeper process (`--cpu-prof …` to profile it). */
  profileArgv?: string[];
}): Promise<IngestionResult> {
  const { mode, items, runs } = parameters;
  const bodies: string[] = [];
  for (let i = 0; i < items.length; i += mode.perRequest) {
    bodies.push(JSON.stringify({ receipts: items.slice(i, i + mode.perRequest) }));
  }
  const deploymentFile = path.join(parameters.dir, "deployment.json");
  writeDeploymentFile(deploymentFile, parameters.deployment);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < runs; run++) {
    const db = path.join(parameters.dir, `ingest-${mode.name}-${run}.sqlite`);
    const { child, url } = await startKeeperProcess(
      {
        rpcUrl: parameters.rpcUrl,
        deployment: deploymentFile,
        db,
        key: parameters.key,
        ingestWorkers: mode.ingestWorkers,
        backgroundSync: mode.backgroundSync ?? true,
      },
      mode.noble,
      run === 0 ? parameters.profileArgv : [],
    );
    try {
      const post = async (body: string) => {
        const response = await fetch(`${url}/v1/receipts`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        const answer = (await response.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
        if (response.status !== 200 || answer.rejected.length > 0) {
          throw new Error(`keeper answered ${response.status}: ${JSON.stringify(answer).slice(0, 300)}`);
        }
        return answer.accepted;
      };
      // Warm-up (node registration read, worker threads started, JIT) with one request, not counted.
      await post(bodies[0]!);
      const cpu0 = cpuSecondsOf(child.pid!);
      const t0 = performance.now();
      let next = 1;
      let accepted = 0;
      await Promise.all(
        Array.from({ length: mode.concurrency }, async () => {
          while (next < bodies.length) {
            const n = await post(bodies[next++]!);
            accepted += n;
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const cpuSeconds = cpuSecondsOf(child.pid!) - cpu0;
      const expected = items.length - Math.min(mode.perRequest, items.length);
      if (accepted !== expected) throw new Error(`${mode.name}: ${accepted} accepted, expected ${expected}`);
      wall.push(accepted / seconds);
      cpu.push(accepted / Math.max(cpuSeconds, 1 / CLOCK_TICKS));
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  }
  return { mode, receipts: items.length, runs, wall: stats(wall), cpu: stats(cpu) };
}
