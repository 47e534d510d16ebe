/**
 * Node benchmark: `POST /v1/infer` for the bundled `iris-int8` model against the real node service (its own process,
 * scripts/bench/nodeProcess.ts) on a real `hardhat node` with Verity deployed, driven by autocannon.
 *
 * Configurations measured in the same run, each on a fresh node process and database, median of `--runs`:
 * - perRequest: the Hono route, every answer waiting for its own SQLite transaction and fsync (before group commit);
 * - hono (the baseline, run by default): the Hono route, the receipts of concurrent requests sharing one transaction,
 *   SQLite's fsync inside the commit on the event loop;
 * - nativeInlineSync: the same handler on Node's own HTTP parser (src/node/serveInferNative.ts), fsync as in hono;
 * - native (run by default): native route, and each group's WAL fsync on libuv's thread pool while the event loop
 *   serves on (src/service/GroupCommit.ts, `backgroundSync`).
 * All answer only once the signed receipt is durable (WAL fsynced).
 *
 * Printed: requests/s, p50 and p99 latency, the node's CPU-seconds (all its threads, from /proc), requests per node
 * CPU-second, and the ratio to the baseline. The machine is shared: per-CPU-second figures are the ones to compare.
 *
 *   npm run bench:node
 *   npm run bench:node -- --runs 5 --seconds 10 --connections 32
 *   npm run bench:node -- --modes perRequest,hono,nativeInlineSync,native   all four (hono is required)
 *   npm run bench:node -- --cpu-prof          also a V8 CPU profile of each grouped mode's first run (temp dir,
 *                                             verity-node-prof/<mode>)
 *   npm run bench:node -- --json
 */
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { createOutput } from "../src/cli/output";
import { MODELS_DIR, startBenchSystem } from "./bench/localNode";
import type { NodeProcessConfig } from "./bench/nodeProcess";
import { cpuSecondsOf, startServiceProcess, statsOf } from "./bench/proc";

/** Requests per second for iris-int8 on 2 cores (issue 15). */
const TARGET = 3_000;
/** The mode the others are compared with: today's path before the native route (Hono, group commit). */
const BASELINE = "hono";

/** `--name a,b`: a list, or undefined. */
function optionList(name: string): string[] | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index < 0 ? undefined : (process.argv[index + 1] ?? "").split(",");
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]?.replace(/_/g, ""));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer`);
  return value;
}

interface RunResult {
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  cpuSeconds: number;
  perCpuSecond: number;
}

function drive(url: string, body: string, connections: number, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/v1/infer`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    connections,
    duration: seconds,
  });
}

async function main(): Promise<void> {
  const runs = option("runs", 3);
  const seconds = option("seconds", 10);
  const connections = option("connections", 32);
  const cpuProf = process.argv.includes("--cpu-prof");
  const output = createOutput(process.argv.includes("--json"));
  const log = (line: string) => output.progress(line);

  log("starting hardhat node and deploying Verity…");
  const bench = await startBenchSystem({ name: "node" });
  const { system, dir, entry } = bench;
  try {
    const body = JSON.stringify({
      modelId: bench.modelId,
      input: { dtype: entry.input!.dtype, shape: entry.input!.shape, data: [12, -40, 77, 5] },
    });
    const all = [
      {
        name: "perRequest",
        groupCommit: false,
        nativeInfer: false,
        backgroundSync: false,
        note: "Hono route, one transaction and fsync per request (before group commit)",
      },
      {
        name: "hono",
        groupCommit: true,
        nativeInfer: false,
        backgroundSync: false,
        note: "Hono route, group commit, fsync on the event loop (the baseline)",
      },
      {
        name: "nativeInlineSync",
        groupCommit: true,
        nativeInfer: true,
        backgroundSync: false,
        note: "native fast path, group commit, fsync on the event loop",
      },
      {
        name: "native",
        groupCommit: true,
        nativeInfer: true,
        backgroundSync: true,
        note: "native fast path, group commit, WAL fsync on the thread pool",
      },
    ];
    const defaults = ["hono", "native"];
    const chosen = optionList("modes");
    const modes = all.filter((m) => (chosen ?? defaults).includes(m.name));
    if (!modes.some((m) => m.name === BASELINE)) throw new Error(`--modes must include the baseline (${BASELINE})`);
    const results: Record<string, RunResult[]> = {};
    for (let run = 0; run < runs; run++) {
      for (const mode of modes) {
        const profile = cpuProf && run === 0 && mode.groupCommit;
        const config: NodeProcessConfig = {
          rpcUrl: system.chain.rpcUrl,
          deployment: bench.deploymentFile,
          operator: bench.node,
          signerKey: bench.key(2),
          db: path.join(dir, `node-${mode.name}-${run}.sqlite`),
          modelsDir: MODELS_DIR,
          groupCommit: mode.groupCommit,
          nativeInfer: mode.nativeInfer,
          backgroundSync: mode.backgroundSync,
        };
        const profDir = path.join(os.tmpdir(), "verity-node-prof", mode.name);
        const service = await startServiceProcess(
          "nodeProcess.ts",
          config,
          {},
          profile ? ["--cpu-prof", "--cpu-prof-dir", profDir] : [],
        );
        try {
          await drive(service.url, body, connections, 2); // warm-up (JIT, SQLite pages), not counted
          const cpu0 = cpuSecondsOf(service.child.pid!);
          const result = await drive(service.url, body, connections, seconds);
          const cpuSeconds = cpuSecondsOf(service.child.pid!) - cpu0;
          const ok = result["2xx"];
          const errors = result.non2xx + result.errors + result.timeouts;
          const measured: RunResult = {
            requests: ok,
            errors,
            perSecond: ok / (result.duration || seconds),
            p50: result.latency.p50,
            p99: result.latency.p99,
            cpuSeconds: Math.round(cpuSeconds * 100) / 100,
            perCpuSecond: ok / Math.max(cpuSeconds, 0.01),
          };
          if (errors > 0) throw new Error(`${mode.name}: ${errors} failed requests`);
          (results[mode.name] ??= []).push(measured);
          log(
            `  run ${run + 1} ${mode.name}: ${Math.round(measured.perSecond)} req/s, p50 ${measured.p50} ms, p99 ` +
              `${measured.p99} ms, node ${measured.cpuSeconds} CPU-s, ${Math.round(measured.perCpuSecond)} req per ` +
              `node CPU-s (load ${os.loadavg()[0]!.toFixed(1)})`,
          );
        } finally {
          await service.stop();
        }
        if (profile) log(`  CPU profile of the grouped node: ${profDir}`);
      }
    }
    const summary = modes.map((mode) => {
      const r = results[mode.name]!;
      return {
        mode: mode.name,
        what: mode.note,
        runs: r.length,
        requestsPerSecond: statsOf(r.map((x) => x.perSecond)),
        p50Ms: statsOf(
          r.map((x) => x.p50),
          1,
        ),
        p99Ms: statsOf(
          r.map((x) => x.p99),
          1,
        ),
        nodeCpuSeconds: statsOf(
          r.map((x) => x.cpuSeconds),
          2,
        ),
        requestsPerNodeCpuSecond: statsOf(r.map((x) => x.perCpuSecond)),
      };
    });
    const base = summary.find((s) => s.mode === BASELINE)!;
    const best = summary[summary.length - 1]!;
    const ratios = Object.fromEntries(
      summary.map((s) => [
        s.mode,
        {
          wall: Math.round((s.requestsPerSecond.median / base.requestsPerSecond.median) * 100) / 100,
          cpu: Math.round((s.requestsPerNodeCpuSecond.median / base.requestsPerNodeCpuSecond.median) * 100) / 100,
        },
      ]),
    );
    output.record({
      model: entry.name,
      connections,
      seconds,
      cores: os.availableParallelism(),
      loadAverage: os.loadavg(),
      target: TARGET,
      met: best.requestsPerSecond.median >= TARGET,
      summary,
      baseline: BASELINE,
      toBaseline: ratios,
    });
    if (!output.json) {
      for (const s of summary) {
        log(
          `${s.mode} (${s.what}): median ${s.requestsPerSecond.median} req/s (${s.requestsPerSecond.min}–` +
            `${s.requestsPerSecond.max}), p50 ${s.p50Ms.median} ms, p99 ${s.p99Ms.median} ms, ` +
            `${s.requestsPerNodeCpuSecond.median} req per node CPU-s (${s.requestsPerNodeCpuSecond.min}–` +
            `${s.requestsPerNodeCpuSecond.max}); ${ratios[s.mode]!.wall}× req/s, ${ratios[s.mode]!.cpu}× per node ` +
            `CPU-s of ${BASELINE}`,
        );
      }
      log(
        `target ≥ ${TARGET} req/s (${best.mode}): ${best.requestsPerSecond.median >= TARGET ? "met" : "not met"} ` +
          `(${os.availableParallelism()} cores, load ${os
            .loadavg()
            .map((l) => l.toFixed(1))
            .join(" ")}, autocannon ` +
          "in the same machine)",
      );
    }
  } finally {
    await bench.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
