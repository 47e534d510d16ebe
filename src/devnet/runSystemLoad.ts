import Database from "better-sqlite3";
import { randomBytes } from "node:crypto";
import type { Address, Hex, PublicClient } from "viem";
import { getBatchSubmittedEvents } from "../chain/actions/getBatchSubmittedEvents";

/** Where the running services can be reached and read (their SQLite files are read, never written). */
export interface SystemLoadTarget {
  publicClient: PublicClient;
  attestationRegistry: Address;
  /** The node's base URL and operator address. */
  nodeUrl: string;
  node: Address;
  modelId: Hex;
  /** The `input` of every `POST /v1/infer` (the node draws a fresh request id for each). */
  input: { dtype: string; shape: readonly number[]; data: readonly number[] };
  keeperDb: string;
  /** The verifier's database, when a verifier audits the run. */
  verifierDb?: string | undefined;
  /** First block to look for `BatchSubmitted` in. */
  fromBlock: bigint;
}

export interface SystemLoadParameters {
  receipts: number;
  /** Requests in flight at once (default 32). */
  concurrency?: number;
  /** How often the stages are observed, in milliseconds (default 250). */
  pollMs?: number;
  /** Gives up when the last stage has not finished this long after the load ended (default 10 minutes). */
  drainTimeoutMs?: number;
  /** Called on every observation (to sample memory, print progress). */
  onTick?: (progress: SystemLoadProgress) => void;
}

/** How far each stage is, in receipts. */
export interface SystemLoadProgress {
  elapsedMs: number;
  answered: number;
  acknowledged: number;
  attested: number;
  audited: number;
}

/** Each stage's receipts, and when (ms after the load started) it had all of them. */
export interface StageResult {
  receipts: number;
  doneMs: number;
  /** receipts per second from the start of the load to the stage's end. */
  perSecond: number;
}

export interface SystemLoadResult {
  receipts: number;
  stages: { node: StageResult; keeper: StageResult; chain: StageResult; verifier?: StageResult };
  batches: number;
  /** Receipts the verifier replayed (its audit sample). */
  replayed: number;
  /** Answer (HTTP 200 at the client) to the first sight of its `BatchSubmitted`, in milliseconds. */
  attestationLatencyMs: { p50: number; p99: number; max: number };
  /** Requests sent again after a dropped connection (same request id: the node answers the same receipt). */
  retries: number;
  /** What the exactly-once check found; empty when every answered receipt was attested exactly once. */
  problems: string[];
}

const quantile = (sorted: Float64Array, q: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/**
 * Drives `receipts` `POST /v1/infer` through a running node → keeper → chain (→ verifier), watches every stage until
 * it has every receipt, then checks that each answered receipt is in the keeper's store once, in a batch, and that
 * the batches on chain (sequences 1..k) hold exactly the answered receipts; returns each stage's rate and the
 * answer→attestation latency.
 */
export async function runSystemLoad(
  target: SystemLoadTarget,
  parameters: SystemLoadParameters,
): Promise<SystemLoadResult> {
  const total = parameters.receipts;
  const concurrency = parameters.concurrency ?? 32;
  const pollMs = parameters.pollMs ?? 250;
  const answeredAt = new Map<string, number>();
  const failures: string[] = [];
  const t0 = performance.now();
  const now = () => performance.now() - t0;

  // Observers: batches on chain (first sight), keeper's queue, verifier's audited batches.
  const seenAt = new Map<number, { at: number; count: number }>();
  let nextBlock = target.fromBlock;
  let attested = 0;
  const watchChain = async () => {
    const head = await target.publicClient.getBlockNumber({ cacheTime: 0 });
    if (head < nextBlock) return;
    const events = await getBatchSubmittedEvents(target.publicClient, {
      address: target.attestationRegistry,
      args: { node: target.node },
      fromBlock: nextBlock,
      toBlock: head,
    });
    const at = now();
    for (const event of events) {
      const sequence = Number(event.args.sequence);
      if (seenAt.has(sequence)) failures.push(`batch sequence ${sequence} submitted twice`);
      seenAt.set(sequence, { at, count: Number(event.args.count) });
      attested += Number(event.args.count);
    }
    nextBlock = head + 1n;
  };
  const keeperDb = new Database(target.keeperDb, { readonly: true, fileMustExist: true });
  const verifierDb = target.verifierDb ? openWhenExists(target.verifierDb) : undefined;
  const acknowledgedNow = () =>
    (keeperDb.prepare("SELECT coalesce(max(seq), 0) AS n FROM receipts").get() as { n: number }).n;
  const auditedNow = () => {
    const db = verifierDb?.();
    if (!db) return 0;
    const row = db.prepare("SELECT coalesce(sum(count), 0) AS n FROM batches WHERE status = 'audited'").get() as {
      n: number;
    };
    return row.n;
  };

  const done: Partial<Record<"node" | "keeper" | "chain" | "verifier", number>> = {};
  const progress = (): SystemLoadProgress => ({
    elapsedMs: now(),
    answered: answeredAt.size,
    acknowledged: acknowledgedNow(),
    attested,
    audited: auditedNow(),
  });
  let stopObserving = false;
  const observer = (async () => {
    while (!stopObserving) {
      await watchChain().catch((error: unknown) => failures.push(`chain watch: ${String(error)}`));
      const p = progress();
      if (done.keeper === undefined && p.acknowledged >= total) done.keeper = p.elapsedMs;
      if (done.chain === undefined && p.attested >= total) done.chain = p.elapsedMs;
      if (done.verifier === undefined && target.verifierDb && p.audited >= total) done.verifier = p.elapsedMs;
      parameters.onTick?.(p);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  })();

  // The load: `concurrency` clients, each posting until `total` requests were sent. Each request has its own id, so
  // a retry after a dropped connection gets the same receipt back (the node answers a repeated id with it).
  let sent = 0;
  const post = async (requestId: string): Promise<string> => {
    const body = JSON.stringify({ modelId: target.modelId, input: target.input, requestId });
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(`${target.nodeUrl}/v1/infer`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        const text = await response.text();
        if (response.status !== 200) throw new Error(`node answered ${response.status}: ${text.slice(0, 300)}`);
        return (JSON.parse(text) as { receiptHash: string }).receiptHash.toLowerCase();
      } catch (error) {
        if (attempt >= 5 || !(error instanceof TypeError)) throw error; // fetch's network errors are TypeErrors
        retries++;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  };
  let retries = 0;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (sent < total) {
          const requestId = `0x${randomBytes(32).toString("hex")}`;
          sent++;
          const hash = await post(requestId);
          if (answeredAt.has(hash)) failures.push(`receipt ${hash} answered twice`);
          answeredAt.set(hash, now());
        }
      }),
    );
  } catch (error) {
    stopObserving = true;
    await observer;
    keeperDb.close();
    verifierDb?.()?.close();
    throw error;
  }
  done.node = now();

  const deadline = now() + (parameters.drainTimeoutMs ?? 600_000);
  const allDone = () =>
    done.keeper !== undefined && done.chain !== undefined && (!target.verifierDb || done.verifier !== undefined);
  while (!allDone() && now() < deadline) await new Promise((resolve) => setTimeout(resolve, pollMs));
  stopObserving = true;
  await observer;
  if (!allDone()) failures.push(`stages unfinished after the drain timeout: ${JSON.stringify(progress())}`);

  // Exactly once: the keeper's store against the answers and the chain.
  const rows = keeperDb
    .prepare(
      "SELECT lower(hex(r.hash)) AS hash, b.sequence AS sequence FROM receipts r LEFT JOIN batches b ON b.id = r.batch WHERE r.node = ?",
    )
    .all(Buffer.from(target.node.slice(2), "hex")) as { hash: string; sequence: number | null }[];
  const perSequence = new Map<number, number>();
  const latencies: number[] = [];
  let unbatched = 0;
  let unknown = 0;
  for (const row of rows) {
    const hash = `0x${row.hash}`;
    const answered = answeredAt.get(hash);
    if (answered === undefined) unknown++;
    if (row.sequence === null) {
      unbatched++;
      continue;
    }
    perSequence.set(row.sequence, (perSequence.get(row.sequence) ?? 0) + 1);
    const seen = seenAt.get(row.sequence);
    if (seen && answered !== undefined) latencies.push(seen.at - answered);
  }
  if (answeredAt.size !== total) failures.push(`${answeredAt.size} distinct receipts answered, expected ${total}`);
  if (rows.length !== answeredAt.size)
    failures.push(`keeper holds ${rows.length} receipts, ${answeredAt.size} answered`);
  if (unknown > 0) failures.push(`keeper holds ${unknown} receipts never answered`);
  if (unbatched > 0) failures.push(`${unbatched} receipts in no batch`);
  for (let sequence = 1; sequence <= seenAt.size; sequence++) {
    const onChain = seenAt.get(sequence);
    if (!onChain) failures.push(`batch sequence ${sequence} missing on chain`);
    else if (onChain.count !== perSequence.get(sequence)) {
      failures.push(`batch ${sequence}: ${onChain.count} on chain, ${perSequence.get(sequence) ?? 0} in the keeper`);
    }
  }
  if (attested !== total) failures.push(`${attested} receipts attested on chain, expected ${total}`);
  const audited = auditedNow();
  const replayed = verifierDb?.()
    ? (verifierDb()!.prepare("SELECT count(*) AS n FROM receipts WHERE verdict != 'skipped'").get() as { n: number }).n
    : 0;
  keeperDb.close();
  verifierDb?.()?.close();

  const sorted = Float64Array.from(latencies).sort();
  const stage = (doneMs: number | undefined, receipts: number): StageResult => ({
    receipts,
    doneMs: Math.round(doneMs ?? NaN),
    perSecond: Math.round((receipts / (doneMs ?? NaN)) * 1000),
  });
  return {
    receipts: total,
    stages: {
      node: stage(done.node, answeredAt.size),
      keeper: stage(done.keeper, rows.length),
      chain: stage(done.chain, attested),
      ...(target.verifierDb ? { verifier: stage(done.verifier, audited) } : {}),
    },
    batches: seenAt.size,
    replayed,
    retries,
    attestationLatencyMs: {
      p50: Math.round(quantile(sorted, 0.5)),
      p99: Math.round(quantile(sorted, 0.99)),
      max: Math.round(sorted[sorted.length - 1] ?? NaN),
    },
    problems: failures,
  };
}

/** Opens a database read-only once its file exists (the verifier creates it on its first step). */
function openWhenExists(file: string): () => Database.Database | undefined {
  let db: Database.Database | undefined;
  return () => {
    if (db) return db;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
    } catch {
      return undefined;
    }
    return db;
  };
}
