/**
 * Keeper benchmark: a million receipts in ≤ 1,000 transactions, on a real `hardhat node` with the whole system
 * deployed by deploy/deploy.ts.
 *
 * Every receipt is real: signed once (EIP-712, low-s) with the node's registered signer key, by worker threads.
 * Every receipt goes through the keeper's real queue (SQLite), planner, batch signature check and on-chain
 * submission (`AttestationRegistry.submitBatch`, batches of 1,024), and the result is checked on chain (BatchSubmitted
 * events: sequences 1..k, counts summing to every receipt).
 *
 * HTTP ingestion is measured first, on keeper PROCESSES of its own (scripts/bench/keeperIngestion.ts): receipts
 * acknowledged per second and per CPU-second of the keeper (all its threads, from /proc), median of `--runs`, for
 * today's path (viem recovery on the event loop, one receipt per request, one commit each) and the new one (arrays of
 * 1,000, worker-thread libsecp256k1 recovery, group commit), with the group's fsync on the event loop
 * (batchedInlineSync) and on the thread pool (batched), each with its ratio to the baseline. The million then enters through
 * `keeper.store.insertReceipts`. The node's half of `POST /v1/batches` runs in process
 * (scripts/bench/inProcessBatchSigner.ts).
 *
 *   npm run bench:keeper -- --ingest-only --receipts 20000   HTTP ingestion only
 *   npm run bench:keeper -- --ingest-only --cpu-prof         and a CPU profile of each batched mode's first keeper
 *                                                            (temp dir, verity-keeper-prof/<mode>)
 *
 * The baseline is one `submitReceipt` per receipt: its gas is measured on the same chain in the same run.
 *
 *   npm run bench:keeper                       1,000,000 receipts
 *   npm run bench:keeper -- --receipts 20000   a smaller run
 *   npm run bench:keeper -- --json
 */
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import pino from "pino";
import type { Address, Hex } from "viem";
import { attestationRegistryAbi } from "../src/chain/abis.generated";
import { defineContractCall } from "../src/chain/contractCall";
import { sendContractCall } from "../src/chain/sendContractCall";
import { createOutput } from "../src/cli/output";
import type { KeeperStore, ValidReceipt } from "../src/keeper/KeeperStore";
import { startKeeper } from "../src/keeper/startKeeper";
import { type GetVerityDomainParameters, type Receipt, signReceipt } from "../src/protocol";
import { createInProcessBatchSigner } from "./bench/inProcessBatchSigner";
import { startBenchSystem } from "./bench/localNode";
import { type IngestionMode, measureIngestion } from "./bench/keeperIngestion";
import type { SignReceiptsOrder, SignedRow } from "./bench/signReceiptsWorker";

const TARGET_TRANSACTIONS = 1_000;
/** Receipts acknowledged per second over HTTP on 2 cores (issue 15). */
const INGESTION_TARGET = 10_000;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]?.replace(/_/g, ""));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer`);
  return value;
}

/** Signs receipts `start … start+count-1` on `threads` worker threads, handing each chunk to `onRows`. */
async function signReceipts(
  order: Omit<SignReceiptsOrder, "start" | "count">,
  start: number,
  count: number,
  threads: number,
  onRows: (rows: SignedRow[]) => void,
): Promise<void> {
  const per = Math.ceil(count / threads);
  const jobs: Promise<void>[] = [];
  for (let t = 0; t < threads; t++) {
    const from = start + t * per;
    const n = Math.min(per, start + count - from);
    if (n <= 0) break;
    const worker = new Worker(path.join(__dirname, "bench", "signReceiptsWorker.ts"), {
      workerData: { ...order, start: from, count: n },
      execArgv: ["-r", "ts-node/register/transpile-only"],
    });
    jobs.push(
      new Promise((resolve, reject) => {
        worker.on("message", (message: SignedRow[] | "done") => {
          if (message === "done") void worker.terminate().then(() => resolve());
          else onRows(message);
        });
        worker.on("error", reject);
      }),
    );
  }
  await Promise.all(jobs);
}

function toValid(row: SignedRow, constant: { modelId: Hex; node: Address }): ValidReceipt {
  const receipt: Receipt = {
    requestId: row[1],
    modelId: constant.modelId,
    inputHash: row[2],
    outputHash: row[3],
    traceRoot: `0x${"00".repeat(32)}`,
    node: constant.node,
    issuedAt: BigInt(row[4]),
  };
  return { hash: row[0], receipt, signature: row[5], routerRequest: false };
}

function toJsonItem(row: SignedRow, constant: { modelId: Hex; node: Address }) {
  const { receipt, signature } = toValid(row, constant);
  return { receipt: { ...receipt, issuedAt: receipt.issuedAt.toString() }, signature };
}

async function main(): Promise<void> {
  const total = option("receipts", 1_000_000);
  const batchSize = option("batch-size", 1024);
  const threads = option("threads", Math.max(1, os.cpus().length));
  const sample = Math.min(option("sample", 20_000), total);
  const baselineSample = option("baseline-sample", 2_000);
  const runs = option("runs", 3);
  const ingestWorkers = option("workers", Math.min(4, os.availableParallelism()));
  const ingestOnly = process.argv.includes("--ingest-only");
  // --cpu-prof: a V8 CPU profile of the first batched run's keeper process (main thread), in the temp directory.
  const cpuProfDir = process.argv.includes("--cpu-prof") ? path.join(os.tmpdir(), "verity-keeper-prof") : undefined;
  const output = createOutput(process.argv.includes("--json"));
  const log = (line: string) => output.progress(line);

  log("starting hardhat node and deploying Verity…");
  const bench = await startBenchSystem({ name: "keeper" });
  const { system, modelId, node, dir: dbDir } = bench;
  try {
    const nodeSigner = system.account(2);
    const privateKey = bench.key(2);
    const registry = system.addresses.attestationRegistry!;
    const domain: GetVerityDomainParameters = { chainId: system.deployment.chainId, verifyingContract: registry };
    const publicClient = system.clients(0).publicClient;
    const constant = { modelId, node };

    // Baseline: one receipt, one submitReceipt transaction, same chain.
    const single: Receipt = {
      requestId: `0x${"ba".repeat(32)}`,
      modelId,
      inputHash: `0x${"11".repeat(32)}`,
      outputHash: `0x${"22".repeat(32)}`,
      traceRoot: `0x${"00".repeat(32)}`,
      node,
      issuedAt: 1_700_000_000n,
    };
    const singleSignature = await signReceipt({ signer: nodeSigner, domain, receipt: single });
    const singleHash = await sendContractCall(
      system.clients(3),
      defineContractCall({
        address: registry,
        abi: attestationRegistryAbi,
        functionName: "submitReceipt",
        args: [single, singleSignature],
      }),
    );
    const baselineGas = (await publicClient.getTransactionReceipt({ hash: singleHash })).gasUsed;
    const startBlock = await publicClient.getBlockNumber({ cacheTime: 0 });

    const holder: { store?: KeeperStore } = {};
    const keeper = await startKeeper({
      rpcUrl: system.chain.rpcUrl,
      deployment: system.deployment,
      account: system.account(3),
      db: path.join(dbDir, "keeper.sqlite"),
      maxBatchSize: batchSize,
      maxBatchAgeMs: 3_600_000,
      settle: false,
      pollingIntervalMs: 20,
      batchSigner: createInProcessBatchSigner({ signer: nodeSigner, domain, store: () => holder.store! }),
      logger: pino({ level: process.env.VERITY_LOG_LEVEL ?? "silent" }),
    });
    holder.store = keeper.store;
    const started = performance.now();
    const order = { chunk: 2_000, privateKey, node, modelId, domain };

    // 1. HTTP ingestion: receipts acknowledged per second by a keeper process, today's path against the new one.
    log(`signing ${sample} receipts for the HTTP ingestion runs…`);
    const sampleRows: SignedRow[] = [];
    await signReceipts(order, 0, sample, threads, (rows) => sampleRows.push(...rows));
    const items = sampleRows.map((row) => toJsonItem(row, constant));
    const ingestion = [];
    const ingestionModes: (IngestionMode & { receipts: number })[] = [
      // Today's path: viem recovery on the event loop, one commit per request, one receipt per request.
      {
        name: "baseline",
        ingestWorkers: 0,
        noble: true,
        perRequest: 1,
        concurrency: 4,
        receipts: Math.min(sample, baselineSample),
      },
      // Arrays, worker-thread recovery (libsecp256k1), group commit with SQLite's fsync on the event loop.
      {
        name: "batchedInlineSync",
        ingestWorkers: ingestWorkers,
        noble: false,
        perRequest: 1_000,
        concurrency: 4,
        receipts: sample,
        backgroundSync: false,
      },
      // The same, each group's WAL fsync on the thread pool (src/service/GroupCommit.ts, backgroundSync).
      {
        name: "batched",
        ingestWorkers: ingestWorkers,
        noble: false,
        perRequest: 1_000,
        concurrency: 4,
        receipts: sample,
      },
    ];
    for (const mode of ingestionModes) {
      log(`  ${mode.name}: ${mode.receipts} receipts, ${mode.perRequest} per request, ${runs} runs…`);
      const result = await measureIngestion({
        mode,
        items: items.slice(0, mode.receipts),
        runs,
        rpcUrl: system.chain.rpcUrl,
        deployment: system.deployment,
        key: bench.key(4),
        dir: dbDir,
        ...(cpuProfDir && mode.name !== "baseline"
          ? { profileArgv: ["--cpu-prof", "--cpu-prof-dir", path.join(cpuProfDir, mode.name)] }
          : {}),
      });
      ingestion.push(result);
      const base = ingestion[0]!;
      const times = (a: number, b: number) => Math.round((a / b) * 10) / 10;
      log(
        `  ${mode.name}: median ${result.wall.median} receipts/s acknowledged (min ${result.wall.min}, max ` +
          `${result.wall.max}), ${result.cpu.median} per keeper CPU-second (min ${result.cpu.min}, max ` +
          `${result.cpu.max}); ${times(result.wall.median, base.wall.median)}× wall, ` +
          `${times(result.cpu.median, base.cpu.median)}× per CPU-second of the baseline (load ` +
          `${os
            .loadavg()
            .map((l) => l.toFixed(1))
            .join(" ")})`,
      );
    }
    if (ingestOnly) {
      output.record({ ingestion, target: INGESTION_TARGET, loadAverage: os.loadavg() });
      await keeper.close();
      return;
    }

    // 2. The rest: signed by worker threads, stored through the keeper's store API in chunks.
    const rest = total - sample;
    // The ingestion runs used their own keepers: the sample is queued here through the store too.
    keeper.store.insertReceipts(sampleRows.map((row) => toValid(row, constant)));
    log(`signing ${rest} receipts on ${threads} threads and queueing them…`);
    const sign0 = performance.now();
    let stored = 0;
    let storeMs = 0;
    await signReceipts(order, sample, rest, threads, (rows) => {
      const t0 = performance.now();
      stored += keeper.store.insertReceipts(rows.map((row) => toValid(row, constant))).accepted;
      storeMs += performance.now() - t0;
      keeper.wake();
      if (stored % 100_000 < rows.length) log(`  ${stored} queued, ${keeper.counts.batchesSubmitted} batches on chain`);
    });
    const signMs = performance.now() - sign0;
    if (stored !== rest) throw new Error(`stored ${stored} of ${rest}`);

    // 3. Everything to chain.
    log("flushing: planning, signing and submitting every batch…");
    await keeper.flush();
    const wallMs = performance.now() - started;
    const counts = keeper.counts;
    await keeper.close();

    // 4. Check on chain.
    const events = await publicClient.getContractEvents({
      address: registry,
      abi: attestationRegistryAbi,
      eventName: "BatchSubmitted",
      fromBlock: startBlock,
      args: { node },
    });
    const onChainReceipts = events.reduce((sum, e) => sum + Number(e.args.count), 0);
    events.forEach((e, i) => {
      if (e.args.sequence !== BigInt(i + 1)) throw new Error(`batch ${i} has sequence ${e.args.sequence}`);
    });
    if (onChainReceipts !== total) throw new Error(`${onChainReceipts} receipts on chain, expected ${total}`);
    const batchGas = counts.batchGasUsed.reduce((a, b) => a + b, 0n);
    const gasPerReceipt = Number(batchGas) / total;
    const result = {
      receipts: total,
      transactions: counts.transactions,
      batchesOnChain: events.length,
      receiptsPerTransaction: Math.round((total / counts.transactions) * 10) / 10,
      targetTransactions: TARGET_TRANSACTIONS,
      met: counts.transactions <= Math.ceil((TARGET_TRANSACTIONS * total) / 1_000_000),
      gasPerReceipt: Math.round(gasPerReceipt * 10) / 10,
      baselineGasPerReceipt: Number(baselineGas),
      baselineToBatchedGasRatio: Math.round((Number(baselineGas) / gasPerReceipt) * 10) / 10,
      baselineTransactions: total,
      wallSeconds: Math.round(wallMs / 100) / 10,
      signingSeconds: Math.round(signMs / 100) / 10,
      signingThreads: threads,
      storeInsertPerSecond: Math.round((rest / storeMs) * 1000),
      ingestion,
      ingestionTarget: INGESTION_TARGET,
    };
    output.record(result);
    if (!output.json) {
      log(
        `${total} receipts in ${counts.transactions} transactions (${result.receiptsPerTransaction}/tx), ` +
          `${result.gasPerReceipt} gas per receipt vs ${baselineGas} for one submitReceipt each ` +
          `(${result.baselineToBatchedGasRatio}× less). HTTP ingestion measured on a ${sample}-receipt sample; ` +
          "the rest entered through the store API the route calls after validation.",
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
