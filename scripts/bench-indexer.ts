/**
 * Indexer catch-up benchmark: how fast `verity explorer`'s indexer reads a chain with a history into a fresh index.
 *
 * On a real `hardhat node` with Verity deployed, it writes a history: `--nodes` inference nodes register and stake,
 * then for `--rounds` rounds every node has a signed batch attested (`submitBatch`, node-signed `ReceiptBatch`) and
 * tops up its stake, all the round's transactions in one block, followed by `--gap` empty blocks (as a public chain
 * has blocks without Verity events). Then it indexes the chain from the deployment's start block into a fresh SQLite
 * index with `syncIndex` (one `eth_getLogs` per range of at most `--range` blocks, one header per block with events,
 * stored range by range), `--runs` times, and prints the median of the events and blocks indexed per second of wall
 * time. Batch files are not fetched here (`indexBatchContents` is a separate loop; the benchmark nodes serve none).
 *
 *   npm run bench:indexer                                  6 nodes × 200 rounds, gap 20, ranges of 2,000, 3 runs
 *   npm run bench:indexer -- --range 2000,100             each range size in turn, on the same history
 *   npm run bench:indexer -- --rounds 500 --range 500 --json
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestClient, http, keccak256, maxUint256, parseEther, toHex, type Hex } from "viem";
import { approve } from "../src/chain/actions/approve";
import { stake } from "../src/chain/actions/stake";
import { submitBatch } from "../src/chain/actions/submitBatch";
import type { ContractCall } from "../src/chain/contractCall";
import { sendContractCall } from "../src/chain/sendContractCall";
import { createOutput } from "../src/cli/output";
import { startLocalSystem, type LocalSystem } from "../src/devnet/startLocalSystem";
import { createIndexerContext } from "../src/indexer/startIndexer";
import { syncIndex } from "../src/indexer/syncIndex";
import { signBatch } from "../src/protocol";
import { registerBundledModel, registerInferenceNode } from "./bench/localNode";

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]?.replace(/_/g, ""));
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} needs a number ≥ 0`);
  return value;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Writes the history (checks that the first and the last round's transactions succeeded). */
async function writeHistory(
  system: LocalSystem,
  options: { nodes: number; rounds: number; gap: number },
  log: (line: string) => void,
): Promise<void> {
  const modelId = await registerBundledModel(system);
  // Operators 1, 3, 5, … with signers 2, 4, 6, … (development accounts 1–12 hold test tokens).
  const cast = Array.from({ length: options.nodes }, (_, i) => ({ operator: 1 + 2 * i, signer: 2 + 2 * i }));
  for (const { operator, signer } of cast) {
    await registerInferenceNode(system, {
      operator,
      signer,
      endpoint: `http://127.0.0.1:9/n${operator}`,
      models: [modelId],
    });
    const clients = system.clients(operator);
    await sendContractCall(
      clients,
      approve({ address: system.addresses.token!, spender: system.addresses.staking!, amount: maxUint256 }),
    );
  }
  const domain = { chainId: system.deployment.chainId, verifyingContract: system.addresses.attestationRegistry! };
  const nonces = await Promise.all(
    cast.map(({ operator }) =>
      system.clients(operator).publicClient.getTransactionCount({ address: system.account(operator).address }),
    ),
  );
  const testClient = createTestClient({ mode: "hardhat", transport: http(system.chain.rpcUrl) });
  await testClient.setAutomine(false);
  try {
    for (let round = 1; round <= options.rounds; round++) {
      const hashes: Hex[] = [];
      for (const [i, { operator, signer }] of cast.entries()) {
        const node = system.account(operator).address;
        const batch = {
          node,
          sequence: BigInt(round),
          root: keccak256(toHex(`root ${operator} ${round}`)),
          count: 1024,
          dataHash: keccak256(toHex(`data ${operator} ${round}`)),
        };
        const signature = await signBatch({ signer: system.account(signer), domain, batch });
        const calls: ContractCall[] = [
          submitBatch({ address: system.addresses.attestationRegistry!, batch, signature }),
          stake({ address: system.addresses.staking!, amount: parseEther("1") }),
        ];
        const { walletClient } = system.clients(operator);
        for (const call of calls) {
          hashes.push(await walletClient!.writeContract({ ...call, nonce: nonces[i]!++, gas: 400_000n } as never));
        }
      }
      await testClient.mine({ blocks: 1 });
      if (options.gap > 0) await testClient.mine({ blocks: options.gap });
      const { publicClient } = system.clients(0);
      if (round === 1 || round === options.rounds) {
        const receipts = await Promise.all(hashes.map((hash) => publicClient.getTransactionReceipt({ hash })));
        const failed = receipts.filter((r) => r.status !== "success");
        if (failed.length > 0) throw new Error(`round ${round}: ${failed.length} transactions reverted`);
      }
      if (round % 50 === 0) log(`  round ${round} of ${options.rounds}`);
    }
  } finally {
    await testClient.setAutomine(true);
  }
}

/** Indexes the chain from the deployment's start block to `head` into a fresh index; checks every batch is in it. */
async function indexOnce(
  system: LocalSystem,
  parameters: { db: string; range: number; head: bigint; batches: number },
): Promise<{ seconds: number; events: number }> {
  const context = await createIndexerContext({
    rpcUrl: system.chain.rpcUrl,
    deployment: system.deployment,
    db: parameters.db,
    confirmations: 0,
    maxBlockRange: parameters.range,
  });
  try {
    const start = process.hrtime.bigint();
    let events = 0;
    for (;;) {
      const report = await syncIndex(context);
      events += report.events;
      if (report.nextBlock > parameters.head) break;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const batches = (context.store.prepare("SELECT COUNT(*) AS n FROM batches").get() as { n: number }).n;
    if (batches !== parameters.batches) throw new Error(`indexed ${batches} batches, expected ${parameters.batches}`);
    return { seconds, events };
  } finally {
    context.store.close();
  }
}

async function main(): Promise<void> {
  const nodes = option("nodes", 6);
  const rounds = option("rounds", 200);
  const gap = option("gap", 20);
  const ranges = (process.argv[process.argv.indexOf("--range") + 1] ?? "")
    .split(",")
    .filter(() => process.argv.includes("--range"))
    .map(Number);
  if (ranges.length === 0) ranges.push(2000);
  if (ranges.some((r) => !Number.isInteger(r) || r < 1))
    throw new Error("--range needs block counts ≥ 1, e.g. 2000,100");
  const runs = option("runs", 3);
  const output = createOutput(process.argv.includes("--json"));
  const log = (line: string) => output.progress(line);
  if (nodes < 1 || nodes > 6) throw new Error("--nodes must be 1–6 (development accounts 1–12 hold the tokens)");

  log("starting hardhat node and deploying Verity…");
  const system = await startLocalSystem();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-bench-indexer-"));
  try {
    log(`writing the history: ${nodes} nodes × ${rounds} rounds (a batch and a stake top-up each), gap ${gap}…`);
    const writeStart = Date.now();
    await writeHistory(system, { nodes, rounds, gap }, log);
    const head = await system.clients(0).publicClient.getBlockNumber({ cacheTime: 0 });
    const blocks = Number(head) - system.deployment.startBlock + 1;
    log(`history written in ${((Date.now() - writeStart) / 1000).toFixed(1)} s: ${blocks} blocks`);

    const summaries = [];
    for (const range of ranges) {
      const results: { seconds: number; events: number }[] = [];
      for (let run = 1; run <= runs; run++) {
        results.push(
          await indexOnce(system, {
            db: path.join(dir, `index-${range}-${run}.sqlite`),
            range,
            head,
            batches: nodes * rounds,
          }),
        );
        const { seconds, events } = results.at(-1)!;
        if (events !== results[0]!.events)
          throw new Error(`run ${run} stored ${events} events, run 1 ${results[0]!.events}`);
        log(
          `  ranges of ${range}, run ${run}: ${events} events over ${blocks} blocks in ${seconds.toFixed(2)} s ` +
            `(${Math.round(events / seconds)} events/s, ${Math.round(blocks / seconds)} blocks/s)`,
        );
      }
      summaries.push({
        maxBlockRange: range,
        events: results[0]!.events,
        blocks,
        medianSeconds: median(results.map((r) => r.seconds)),
        eventsPerSecond: median(results.map((r) => r.events / r.seconds)),
        blocksPerSecond: median(results.map((r) => blocks / r.seconds)),
      });
    }
    const summary = {
      nodes,
      rounds,
      gap,
      runs,
      batches: nodes * rounds,
      ranges: summaries,
      loadAverage: os.loadavg(),
      cpus: os.cpus().length,
    };
    if (process.argv.includes("--json")) {
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      process.stdout.write(`Indexer catch-up, fresh index (median of ${runs}):\n`);
      for (const r of summaries) {
        process.stdout.write(
          `  ranges of ${r.maxBlockRange} blocks: ${r.events} events over ${r.blocks} blocks in ` +
            `${r.medianSeconds.toFixed(2)} s: ${Math.round(r.eventsPerSecond)} events/s, ` +
            `${Math.round(r.blocksPerSecond)} blocks/s\n`,
        );
      }
      process.stdout.write(
        `  load average ${summary.loadAverage.map((l) => l.toFixed(2)).join(" ")} on ${summary.cpus} cores\n`,
      );
    }
  } finally {
    await system.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
