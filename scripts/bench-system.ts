/**
 * System benchmark: node → keeper → chain → verifier at scale, on a real `hardhat node` with Verity deployed.
 *
 * The node service, the keeper and a verifier each run in a process of their own (scripts/bench/*Process.ts), as
 * they are deployed. Load enters through the node's HTTP API (`POST /v1/infer`, iris-int8, `--concurrency` requests
 * in flight); the node forwards its receipts to the keeper (outbox), the keeper has the node sign batches of 1,024
 * and submits them (`submitBatch`), the verifier checks every batch and replays `--audit` of the receipts.
 *
 * Printed: each stage's sustained rate (receipts from the start of the load to the stage having all of them),
 * the peak RSS of each service (VmHWM; target ≤ 1 GiB each), the answer→attestation latency (HTTP answer at the
 * client to the first sight of its `BatchSubmitted`), p50 and p99, and the exactly-once check (every answered
 * receipt in the keeper's store once, in a batch; the batches on chain, sequences 1..k, hold exactly them).
 *
 *   npm run bench:system                          100,000 receipts
 *   npm run bench:system -- --receipts 1000000
 *   npm run bench:system -- --receipts 10000 --concurrency 32 --audit 0.01 --json
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { createOutput } from "../src/cli/output";
import { findFreePort } from "../src/devnet/findFreePort";
import { runSystemLoad } from "../src/devnet/runSystemLoad";
import { MODELS_DIR, startBenchSystem } from "./bench/localNode";
import type { NodeProcessConfig } from "./bench/nodeProcess";
import { cpuSecondsOf, peakRssOf, startServiceProcess, type ServiceProcess } from "./bench/proc";
import type { VerifierProcessConfig } from "./bench/verifierProcess";

const GIB = 1024 ** 3;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]?.replace(/_/g, ""));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

async function main(): Promise<void> {
  const receipts = option("receipts", 100_000);
  const concurrency = option("concurrency", 32);
  const auditShare = option("audit", 0.01);
  const output = createOutput(process.argv.includes("--json"));
  const log = (line: string) => output.progress(line);

  log("starting hardhat node and deploying Verity…");
  const port = await findFreePort();
  const bench = await startBenchSystem({ name: "system", endpoint: `http://127.0.0.1:${port}` });
  const { system, dir, modelId, node, entry, key } = bench;
  const deployment = bench.deploymentFile;
  const services: Record<string, ServiceProcess> = {};
  try {
    const publicClient = system.clients(0).publicClient;
    const fromBlock = (await publicClient.getBlockNumber({ cacheTime: 0 })) + 1n;
    const batchToken = randomBytes(16).toString("hex");
    const keeperDb = path.join(dir, "keeper.sqlite");
    const verifierDb = path.join(dir, "verifier.sqlite");

    services.keeper = await startServiceProcess("keeperProcess.ts", {
      rpcUrl: system.chain.rpcUrl,
      deployment,
      db: keeperDb,
      key: key(3),
      ingestWorkers: 2,
      maxBatchSize: 1024,
      maxBatchAgeMs: 1_000,
      batchToken,
      pollingIntervalMs: 100,
    });
    const nodeConfig: NodeProcessConfig = {
      rpcUrl: system.chain.rpcUrl,
      deployment,
      operator: node,
      signerKey: key(2),
      db: path.join(dir, "node.sqlite"),
      modelsDir: MODELS_DIR,
      port,
      groupCommit: true,
      keeperUrl: services.keeper.url,
      batchToken,
      pollingIntervalMs: 100,
    };
    services.node = await startServiceProcess("nodeProcess.ts", nodeConfig);
    const verifierConfig: VerifierProcessConfig = {
      rpcUrl: system.chain.rpcUrl,
      deployment,
      key: key(5),
      db: verifierDb,
      modelsDir: MODELS_DIR,
      auditShare,
      startBlock: Number(fromBlock),
    };
    services.verifier = await startServiceProcess("verifierProcess.ts", verifierConfig);

    const cpu0 = Object.fromEntries(Object.entries(services).map(([k, s]) => [k, cpuSecondsOf(s.child.pid!)]));
    let lastLog = 0;
    log(`driving ${receipts} requests, ${concurrency} in flight (load ${os.loadavg()[0]!.toFixed(1)})…`);
    const result = await runSystemLoad(
      {
        publicClient,
        attestationRegistry: system.addresses.attestationRegistry!,
        nodeUrl: services.node.url,
        node,
        modelId,
        input: { dtype: entry.input!.dtype, shape: entry.input!.shape, data: [12, -40, 77, 5] },
        keeperDb,
        verifierDb,
        fromBlock,
      },
      {
        receipts,
        concurrency,
        drainTimeoutMs: Math.max(600_000, receipts * 2),
        onTick: (p) => {
          if (p.elapsedMs - lastLog < 10_000) return;
          lastLog = p.elapsedMs;
          log(
            `  ${Math.round(p.elapsedMs / 1000)} s: ${p.answered} answered, ${p.acknowledged} at the keeper, ` +
              `${p.attested} on chain, ${p.audited} audited (load ${os.loadavg()[0]!.toFixed(1)})`,
          );
        },
      },
    );
    const perService = Object.fromEntries(
      Object.entries(services).map(([name, s]) => [
        name,
        {
          peakRssMiB: Math.round(peakRssOf(s.child.pid!) / 1024 / 1024),
          cpuSeconds: Math.round((cpuSecondsOf(s.child.pid!) - cpu0[name]!) * 10) / 10,
        },
      ]),
    );
    const rssOk = Object.values(services).every((s) => peakRssOf(s.child.pid!) <= GIB);
    output.record({
      concurrency,
      auditShare,
      cores: os.availableParallelism(),
      loadAverage: os.loadavg(),
      ...result,
      services: perService,
      rssWithinOneGiB: rssOk,
      exactlyOnce: result.problems.length === 0,
    });
    if (!output.json) {
      const s = result.stages;
      log(
        `node ${s.node.perSecond} receipts/s answered; keeper ${s.keeper.perSecond}/s acknowledged; chain ` +
          `${s.chain.perSecond}/s attested (${result.batches} batches); verifier ${s.verifier?.perSecond}/s checked ` +
          `(${result.replayed} replayed). Answer→attestation p50 ${result.attestationLatencyMs.p50} ms, p99 ` +
          `${result.attestationLatencyMs.p99} ms. Peak RSS MiB: node ${perService.node!.peakRssMiB}, keeper ` +
          `${perService.keeper!.peakRssMiB}, verifier ${perService.verifier!.peakRssMiB} (≤ 1,024: ` +
          `${rssOk ? "yes" : "NO"}). Exactly once: ${result.problems.length === 0 ? "yes" : result.problems.join("; ")}`,
      );
    }
    if (result.problems.length > 0) process.exitCode = 1;
  } finally {
    for (const service of Object.values(services).reverse()) await service.stop();
    await bench.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
