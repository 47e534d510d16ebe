/**
 * `npm run bench:explorer`: the explorer's latency over an index of 1,000,000 receipts, and the indexer's catch-up
 * speed on a demo-sized chain.
 *
 * 1. Builds an index directly in SQLite (not by transactions): 16 nodes, 2 models, 1,000,000 receipts in batches of
 *    1,024 with their leaf hashes and each batch's stored Merkle tree (a lookup slices its proof from it), 2,000 disputes with
 *    timelines, per-node and per-hour aggregates — the tables the indexer writes.
 * 2. Serves it with the explorer's Hono app over HTTP and measures p50/p99 of `GET /api/overview`,
 *    `GET /api/receipts/:hash` (random receipts), the lookup by request id, and the HTML pages `/` and `/receipts/:hash`.
 * 3. Runs the demo's scenario on a local `hardhat node`, then indexes the chain from scratch and reports events/s.
 *
 * Flags: `--receipts <n>` (default 1,000,000), `--samples <n>` (lookups per endpoint, default 2,000), `--no-chain`,
 * `--index <file>` (keep the built index there and reuse it on the next run: its sample keys are in `<file>.keys.json`).
 */
import { serve } from "@hono/node-server";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { createExplorerApp, createUpdateFeed } from "../src/explorer/createExplorerApp";
import { ExplorerQueries } from "../src/explorer/ExplorerQueries";
import { encodeBatchTree } from "../src/indexer/batchTree";
import { IndexStore } from "../src/indexer/IndexStore";

const argv = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const RECEIPTS = flag("--receipts", 1_000_000);
const SAMPLES = flag("--samples", 2_000);
const KEPT_INDEX = argv.includes("--index") ? argv[argv.indexOf("--index") + 1] : undefined;
const BATCH = 1_024;
const NODES = 16;
const DISPUTES = 2_000;

const hex = (bytes: number) => `0x${randomBytes(bytes).toString("hex")}`;

function buildIndex(file: string): { receiptHashes: string[]; requestIds: string[]; seconds: number } {
  const started = Date.now();
  const store = new IndexStore(file);
  const db = store.db;
  db.pragma("synchronous = OFF");
  const now = Math.floor(Date.now() / 1000);
  const start = now - 47 * 3600;
  const nodes = Array.from({ length: NODES }, () => hex(20));
  const models = [hex(32), hex(32)];
  const receiptHashes: string[] = [];
  const requestIds: string[] = [];
  db.transaction(() => {
    for (const model of models) {
      db.prepare(
        `INSERT INTO models (model_id, owner, runtime_id, mode, tolerance, weights_root, previous, metadata_uri, registered_at)
         VALUES (?, ?, ?, 0, '0', ?, ?, 'ipfs://bench', ?)`,
      ).run(model, nodes[0], hex(32), hex(32), `0x${"00".repeat(32)}`, start);
    }
    nodes.forEach((node, i) => {
      db.prepare(
        `INSERT INTO nodes (address, signer, role, endpoint, models, registered_at, active_stake, jailed, jail_count, slashed_total)
         VALUES (?, ?, ?, 'http://127.0.0.1:9', ?, ?, ?, ?, ?, ?)`,
      ).run(
        node,
        hex(20),
        i < 12 ? 0 : 1,
        JSON.stringify(models),
        start,
        `${1000 + i}000000000000000000000`,
        i === 3 ? 1 : 0,
        i === 3 ? 1 : 0,
        i === 3 ? "500000000000000000000" : "0",
      );
    });
    const batch = db.prepare(
      `INSERT INTO batches (batch_id, node, sequence, root, count, data_hash, window_end, block_number, tx_hash, timestamp, contents)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'indexed')`,
    );
    const receipt = db.prepare(
      `INSERT INTO receipts (receipt_hash, request_id, model_id, node, batch_id, leaf_index, leaf, input_hash,
       output_hash, trace_root, issued_at, attested_at, window_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const tree = db.prepare("INSERT INTO batch_trees (batch_id, tree) VALUES (?, ?)");
    const counts = new Map<string, number>();
    const hours = new Map<number, number>();
    let block = 1;
    for (let done = 0; done < RECEIPTS; done += BATCH) {
      const count = Math.min(BATCH, RECEIPTS - done);
      const node = nodes[(done / BATCH) % 12]!;
      const batchId = hex(32);
      const timestamp = start + Math.floor((done / RECEIPTS) * 47 * 3600);
      batch.run(
        batchId,
        node,
        String(done / BATCH),
        hex(32),
        count,
        hex(32),
        timestamp + 86_400,
        block++,
        hex(32),
        timestamp,
      );
      // One random pool per batch: 6 fresh 32-byte values per receipt (hash, request id, leaf, input, output, trace).
      const pool = randomBytes(count * 6 * 32);
      const word = (i: number) => `0x${pool.toString("hex", i * 32, i * 32 + 32)}`;
      const leaves: `0x${string}`[] = [];
      for (let leaf = 0; leaf < count; leaf++) {
        const base = leaf * 6;
        leaves.push(word(base + 2) as `0x${string}`);
        const receiptHash = word(base);
        const requestId = word(base + 1);
        if ((done + leaf) % 97 === 0) {
          receiptHashes.push(receiptHash);
          requestIds.push(requestId);
        }
        receipt.run(
          receiptHash,
          requestId,
          models[leaf % 2],
          node,
          batchId,
          leaf,
          word(base + 2),
          word(base + 3),
          word(base + 4),
          word(base + 5),
          timestamp,
          timestamp,
          timestamp + 86_400,
        );
      }
      tree.run(batchId, encodeBatchTree(leaves)); // as IndexStore.recordBatchContents stores it
      counts.set(node, (counts.get(node) ?? 0) + count);
      const hour = Math.floor(timestamp / 3600);
      hours.set(hour, (hours.get(hour) ?? 0) + count);
    }
    for (const node of nodes) {
      db.prepare("INSERT INTO node_counters (node, receipts, disputes_lost) VALUES (?, ?, ?)").run(
        node,
        counts.get(node) ?? 0,
        node === nodes[3] ? DISPUTES : 0,
      );
    }
    for (const [hour, receipts] of hours) db.prepare("INSERT INTO receipt_hours VALUES (?, ?)").run(hour, receipts);
    const event = db.prepare(
      `INSERT INTO events (block_number, log_index, tx_hash, timestamp, contract, name, args, node, dispute_id, receipt_hash)
       VALUES (?, ?, ?, ?, 'disputeManager', ?, ?, ?, ?, ?)`,
    );
    for (let d = 1; d <= DISPUTES; d++) {
      const receiptHash = receiptHashes[d]!;
      db.prepare(
        `INSERT INTO disputes (dispute_id, receipt_hash, node, batch_id, challenger, bond, amount_at_risk, opened_at, outcome, slashed, resolved_at)
         VALUES (?, ?, ?, ?, ?, '50000000000000000000', '500000000000000000000', ?, 1, '0', ?)`,
      ).run(String(d), receiptHash, nodes[3], hex(32), nodes[12], start + d, start + d + 7200);
      db.prepare("UPDATE receipts SET dispute = 'rejected' WHERE receipt_hash = ?").run(receiptHash);
      const names = [
        "DisputeOpened",
        "CommitteeMemberDrawn",
        "CommitteeMemberDrawn",
        "CommitteeDrawn",
        "VoteCommitted",
        "VoteCommitted",
        "VoteRevealed",
        "VoteRevealed",
        "DisputeResolved",
      ];
      names.forEach((name, i) =>
        event.run(
          block,
          i,
          hex(32),
          start + d + i,
          name,
          JSON.stringify({ id: String(d), outcome: 1, slashed: "0" }),
          nodes[13],
          String(d),
          receiptHash,
        ),
      );
      block++;
    }
    store.setMeta("cursor", String(block));
    store.setMeta("head_block", String(block - 1));
    store.setMeta("head_timestamp", String(now));
  })();
  db.pragma("wal_checkpoint(TRUNCATE)");
  store.close();
  return { receiptHashes, requestIds, seconds: (Date.now() - started) / 1000 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(label: string, urls: () => string, samples: number) {
  for (let i = 0; i < Math.min(50, samples); i++) await (await fetch(urls())).arrayBuffer(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const url = urls();
    const t = process.hrtime.bigint();
    const response = await fetch(url);
    await response.arrayBuffer();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (!response.ok) throw new Error(`${label}: HTTP ${response.status} for ${url}`);
  }
  times.sort((a, b) => a - b);
  const row = {
    endpoint: label,
    samples,
    p50_ms: percentile(times, 50).toFixed(2),
    p99_ms: percentile(times, 99).toFixed(2),
    max_ms: times.at(-1)!.toFixed(2),
  };
  console.log(
    `${label.padEnd(34)} n=${String(samples).padStart(5)}  p50 ${row.p50_ms.padStart(7)} ms  p99 ${row.p99_ms.padStart(7)} ms  max ${row.max_ms.padStart(7)} ms`,
  );
  return row;
}

async function benchLatency() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-bench-explorer-"));
  const file = KEPT_INDEX ?? path.join(dir, "index.sqlite");
  const keysFile = `${file}.keys.json`;
  let built: ReturnType<typeof buildIndex>;
  if (KEPT_INDEX && fs.existsSync(keysFile)) {
    console.log(`reusing the index in ${file}`);
    built = { ...(JSON.parse(fs.readFileSync(keysFile, "utf8")) as ReturnType<typeof buildIndex>), seconds: 0 };
  } else {
    console.log(`building an index of ${RECEIPTS.toLocaleString("en")} receipts in ${file} …`);
    built = buildIndex(file);
    if (KEPT_INDEX) fs.writeFileSync(keysFile, JSON.stringify(built));
  }
  const size = fs.statSync(file).size;
  console.log(`built in ${built.seconds.toFixed(1)} s (${(size / 2 ** 20).toFixed(0)} MiB)`);
  const store = new IndexStore(file);
  const app = createExplorerApp(new ExplorerQueries(store), createUpdateFeed());
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)]!;
  const rows = [
    await measure("GET /api/receipts/:hash", () => `${base}/api/receipts/${pick(built.receiptHashes)}`, SAMPLES),
    await measure("GET /api/receipts/:requestId", () => `${base}/api/receipts/${pick(built.requestIds)}`, SAMPLES),
    await measure("GET /api/overview", () => `${base}/api/overview`, Math.max(100, SAMPLES / 10)),
    await measure(
      "GET /receipts/:hash (HTML page)",
      () => `${base}/receipts/${pick(built.receiptHashes)}`,
      SAMPLES / 2,
    ),
    await measure("GET / (HTML overview page)", () => `${base}/`, Math.max(100, SAMPLES / 10)),
    await measure(
      "GET /api/disputes/:id",
      () => `${base}/api/disputes/${1 + Math.floor(Math.random() * DISPUTES)}`,
      SAMPLES / 2,
    ),
  ];
  server.close();
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { receipts: RECEIPTS, buildSeconds: built.seconds, indexMiB: Math.round(size / 2 ** 20), rows };
}

async function benchCatchUp() {
  const { runSystemScenario } = await import("../src/devnet/runSystemScenario");
  const { DEMO_DEPLOY_ENVIRONMENT, startLocalSystem } = await import("../src/devnet/startLocalSystem");
  const { createIndexerContext } = await import("../src/indexer/startIndexer");
  const { syncIndex } = await import("../src/indexer/syncIndex");
  console.log("running the demo's scenario on a local hardhat node …");
  const system = await startLocalSystem(DEMO_DEPLOY_ENVIRONMENT);
  try {
    await runSystemScenario({ system, modelsDir: path.resolve(__dirname, "..", "models") });
    const results = [];
    for (const maxBlockRange of [2_000, 10]) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-bench-catchup-"));
      const context = await createIndexerContext({
        rpcUrl: system.chain.rpcUrl,
        deployment: system.deployment,
        db: path.join(dir, "index.sqlite"),
        confirmations: 0,
        maxBlockRange,
      });
      const t = process.hrtime.bigint();
      const report = await syncIndex(context);
      const seconds = Number(process.hrtime.bigint() - t) / 1e9;
      context.store.close();
      fs.rmSync(dir, { recursive: true, force: true });
      const row = {
        maxBlockRange,
        blocks: Number(report.nextBlock),
        events: report.events,
        seconds: Number(seconds.toFixed(3)),
        eventsPerSecond: Math.round(report.events / seconds),
      };
      console.log(
        `catch-up (max block range ${maxBlockRange}): ${row.events} events over ${row.blocks} blocks in ${row.seconds} s = ${row.eventsPerSecond} events/s`,
      );
      results.push(row);
    }
    return results;
  } finally {
    await system.stop();
  }
}

async function main() {
  console.log(`cores: ${os.cpus().length}, node ${process.version}`);
  const latency = await benchLatency();
  const catchUp = argv.includes("--no-chain") ? null : await benchCatchUp();
  console.log(JSON.stringify({ latency, catchUp }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
