import type Database from "better-sqlite3";
import type { Receipt } from "../protocol";
import { openDatabase } from "../service/openDatabase";
import type { VerityEvent } from "./decodeVerityLogs";
import { projectEvent, type RunStatement } from "./projectEvent";
import { encodeBatchTree } from "./batchTree";
import { INDEX_MIGRATIONS } from "./schema";

/** The facts about one range of blocks that the sync step stores in one transaction. */
export interface IndexedRange {
  events: readonly VerityEvent[];
  /** Chain timestamp of every block that has an event. */
  timestamps: ReadonlyMap<number, number>;
  /** Active stake read from the chain at the range's last block, for nodes slashed in the range. */
  activeStakes: ReadonlyMap<string, bigint>;
  /** The cursor after the range. */
  nextBlock: bigint;
  /** The last block of the range and its timestamp: the index's notion of "now". */
  head: { number: bigint; timestamp: number };
  /** The hash of every block in `timestamps` (kept to notice a reorganization deeper than the confirmations). */
  blockHashes?: ReadonlyMap<number, string>;
  /** The transactions that moved a fraud game in the range: sender, function and gas. */
  transactions?: readonly IndexedTransaction[];
}

/** Who sent a transaction, what it called and the gas it used. */
export interface IndexedTransaction {
  txHash: string;
  sender: string;
  functionName: string | null;
  gasUsed: bigint;
}

/** A batch whose file (its receipts in leaf order) is still to be fetched from its node. */
export interface PendingBatch {
  batchId: string;
  node: string;
  dataHash: string;
  count: number;
  attempts: number;
  endpoint: string | null;
}

/**
 * The indexer's SQLite database (WAL): the cursor, every Verity event, and the tables projected from them. A range is
 * stored in one transaction with the cursor after it, and an event already stored (same block and log index) is
 * skipped with its projection, so re-reading a range after a crash changes nothing.
 */
export class IndexStore {
  readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly run: RunStatement = (sql, ...params) => {
    this.prepare(sql).run(...params);
  };

  /** Opens (creating and migrating when needed) the index; `mustExist` refuses a missing file instead. */
  constructor(file: string, options: { mustExist?: boolean } = {}) {
    this.db = openDatabase({
      file,
      name: "explorer index",
      migrations: INDEX_MIGRATIONS,
      pragmas: ["journal_mode = WAL", "synchronous = NORMAL"],
      mustExist: options.mustExist,
    });
    this.db.function("add_amounts", { deterministic: true }, (a: unknown, b: unknown) =>
      (BigInt(String(a ?? "0")) + BigInt(String(b ?? "0"))).toString(10),
    );
  }

  close(): void {
    this.db.close();
  }

  /** A statement prepared once per SQL text. */
  prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  getMeta(key: string): string | undefined {
    const row = this.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.run(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }

  /** The next block to read (undefined before the first run). */
  cursor(): bigint | undefined {
    const value = this.getMeta("cursor");
    return value === undefined ? undefined : BigInt(value);
  }

  /** The last indexed block and its timestamp. */
  head(): { number: bigint; timestamp: number } | undefined {
    const number = this.getMeta("head_block");
    const timestamp = this.getMeta("head_timestamp");
    return number === undefined || timestamp === undefined
      ? undefined
      : { number: BigInt(number), timestamp: Number(timestamp) };
  }

  /** Stores a range's events, their projections and the new cursor atomically; returns how many events were new. */
  applyRange(range: IndexedRange): number {
    const insert = this.prepare(
      `INSERT OR IGNORE INTO events (block_number, log_index, tx_hash, timestamp, contract, name, args, node, dispute_id,
       request_id, receipt_hash, batch_id, model_id, game_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    return this.db.transaction(() => {
      let added = 0;
      for (const event of range.events) {
        const timestamp = range.timestamps.get(event.blockNumber) ?? range.head.timestamp;
        const keys = eventKeys(event);
        const result = insert.run(
          event.blockNumber,
          event.logIndex,
          event.txHash.toLowerCase(),
          timestamp,
          event.contract,
          event.name,
          JSON.stringify(event.args),
          keys.node,
          keys.disputeId,
          keys.requestId,
          keys.receiptHash,
          keys.batchId,
          keys.modelId,
          keys.gameId,
        );
        if (result.changes === 0) continue;
        added++;
        projectEvent(this.run, event, timestamp);
      }
      for (const [node, stake] of range.activeStakes) {
        this.run("UPDATE nodes SET active_stake = ? WHERE address = ?", stake.toString(10), node);
        this.run(
          `UPDATE stake_changes SET active_stake = ? WHERE node = ? AND kind = 'slash' AND active_stake IS NULL`,
          stake.toString(10),
          node,
        );
      }
      for (const [number, hash] of range.blockHashes ?? []) {
        this.run(
          "INSERT OR REPLACE INTO blocks (block_number, hash, timestamp) VALUES (?, ?, ?)",
          number,
          hash.toLowerCase(),
          range.timestamps.get(number) ?? range.head.timestamp,
        );
      }
      for (const tx of range.transactions ?? []) {
        this.run(
          "INSERT OR REPLACE INTO transactions (tx_hash, sender, function_name, gas_used) VALUES (?, ?, ?, ?)",
          tx.txHash.toLowerCase(),
          tx.sender.toLowerCase(),
          tx.functionName,
          tx.gasUsed.toString(10),
        );
      }
      this.setMeta("cursor", range.nextBlock.toString(10));
      this.setMeta("head_block", range.head.number.toString(10));
      this.setMeta("head_timestamp", String(range.head.timestamp));
      return added;
    })();
  }

  /** Batches whose files are due to be fetched (not yet indexed, fewer than `maxAttempts` failures, due by `now`). */
  pendingBatches(now: number, maxAttempts: number, limit: number): PendingBatch[] {
    return this.prepare(
      `SELECT b.batch_id AS batchId, b.node, b.data_hash AS dataHash, b.count, b.attempts, n.endpoint
       FROM batches b LEFT JOIN nodes n ON n.address = b.node
       WHERE b.contents = 'pending' AND b.next_attempt_at <= ? AND b.attempts < ? ORDER BY b.block_number LIMIT ?`,
    ).all(now, maxAttempts, limit) as PendingBatch[];
  }

  /** Stores a batch's receipts in leaf order (from its verified file) and its Merkle tree, and marks the batch indexed. */
  recordBatchContents(
    batchId: string,
    receipts: readonly { receiptHash: string; leaf: string; receipt: Receipt }[],
  ): void {
    const upsert = this.prepare(
      `INSERT INTO receipts (receipt_hash, request_id, model_id, node, batch_id, leaf_index, leaf, input_hash,
       output_hash, trace_root, issued_at, attested_at, window_end)
       SELECT ?, ?, ?, ?, batch_id, ?, ?, ?, ?, ?, ?, timestamp, window_end FROM batches WHERE batch_id = ?
       ON CONFLICT (receipt_hash) DO UPDATE SET request_id = excluded.request_id, model_id = excluded.model_id,
       batch_id = excluded.batch_id, leaf_index = excluded.leaf_index, leaf = excluded.leaf,
       input_hash = excluded.input_hash,
       output_hash = excluded.output_hash, trace_root = excluded.trace_root, issued_at = excluded.issued_at`,
    );
    this.db.transaction(() => {
      receipts.forEach(({ receiptHash, leaf, receipt }, index) =>
        upsert.run(
          receiptHash.toLowerCase(),
          receipt.requestId.toLowerCase(),
          receipt.modelId.toLowerCase(),
          receipt.node.toLowerCase(),
          index,
          leaf.toLowerCase(),
          receipt.inputHash.toLowerCase(),
          receipt.outputHash.toLowerCase(),
          receipt.traceRoot.toLowerCase(),
          Number(receipt.issuedAt),
          batchId,
        ),
      );
      this.prepare("INSERT OR REPLACE INTO batch_trees (batch_id, tree) VALUES (?, ?)").run(
        batchId,
        encodeBatchTree(receipts.map((r) => r.leaf as `0x${string}`)),
      );
      this.run("UPDATE batches SET contents = 'indexed', last_error = NULL WHERE batch_id = ?", batchId);
    })();
  }

  /** Records a failed fetch of a batch file; the batch is retried from `nextAttemptAt`. */
  recordBatchFailure(batchId: string, error: string, nextAttemptAt: number): void {
    this.run(
      "UPDATE batches SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE batch_id = ?",
      nextAttemptAt,
      error,
      batchId,
    );
  }
}

/** The columns by which timelines find an event: its node, dispute, request, receipt, batch and model. */
function eventKeys(event: VerityEvent) {
  const a = event.args;
  const text = (key: string) => (typeof a[key] === "string" ? (a[key] as string) : null);
  const id = text("id");
  const isDispute = event.contract === "disputeManager";
  const isGame = event.contract === "fraudGame";
  const isRequest = event.contract === "inferenceRouter";
  return {
    node: text("node") ?? text("member") ?? text("voter") ?? null,
    disputeId: isDispute ? id : null,
    requestId: isRequest ? id : text("requestId"),
    receiptHash: text("receiptHash"),
    batchId: text("batchId") ?? (event.name === "BatchSubmitted" ? id : null),
    modelId: text("modelId") ?? (event.contract === "modelRegistry" ? id : null),
    gameId: isGame ? id : null,
  };
}
