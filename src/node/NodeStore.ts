import type Database from "better-sqlite3";
import type { Address, Hex } from "viem";
import type { Receipt } from "../protocol";
import { GroupCommit } from "../service/GroupCommit";
import { openDatabase, type Migration } from "../service/openDatabase";

/** Where a receipt's request came from. */
export type ReceiptSource = "api" | "router";

/** A receipt the node signed, as stored. */
export interface StoredReceipt {
  receiptHash: Hex;
  receipt: Receipt;
  signature: Hex;
  source: ReceiptSource;
  /** True when the output was corrupted on purpose (`--dishonest`, test mode). */
  dishonest: boolean;
  forwarded: boolean;
  batchId: Hex | null;
}

/**
 * Where a signed batch stands: `signed` (may still be submitted), `released` (given up on by the keeper: its receipts
 * may go into another batch at the same sequence, and nowhere else, until that sequence is used on chain),
 * `attested` (on chain, confirmed) or `dead` (its sequence was used on chain by another batch: it can never be).
 */
export type BatchState = "signed" | "released" | "attested" | "dead";

/** A signed batch, as stored: the exact file text and the signed header. */
export interface StoredBatch {
  sequence: bigint;
  batchId: Hex;
  /** Member receipt hashes, sorted ascending. */
  members: Hex[];
  fileText: string;
  root: Hex;
  count: number;
  dataHash: Hex;
  signature: Hex;
  state: BatchState;
}

/** One `NodeAssigned` event for this node. */
export interface AssignmentRecord {
  requestId: Hex;
  round: number;
  slot: number;
  blockNumber: bigint;
  deadline: number;
  status: "pending" | "answered" | "skipped";
  reason: string | null;
  attempts: number;
  receiptHash: Hex | null;
}

type ReceiptRow = {
  receipt_hash: string;
  request_id: string;
  model_id: string;
  input_hash: string;
  output_hash: string;
  trace_root: string;
  node: string;
  issued_at: string;
  signature: string;
  source: ReceiptSource;
  dishonest: number;
  forwarded: number;
  batch_id: string | null;
};

type BatchRow = {
  sequence: string;
  batch_id: string;
  members: string;
  file_text: string;
  root: string;
  count: number;
  data_hash: string;
  signature: string;
  state: BatchState;
};

type AssignmentRow = {
  request_id: string;
  round: number;
  slot: number;
  block_number: number;
  deadline: number;
  status: AssignmentRecord["status"];
  reason: string | null;
  attempts: number;
  receipt_hash: string | null;
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS receipts (
  receipt_hash TEXT PRIMARY KEY,
  request_id TEXT NOT NULL,
  model_id TEXT NOT NULL,
  input_hash TEXT NOT NULL,
  output_hash TEXT NOT NULL,
  trace_root TEXT NOT NULL,
  node TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  signature TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('api', 'router')),
  dishonest INTEGER NOT NULL,
  forwarded INTEGER NOT NULL DEFAULT 0,
  batch_id TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS receipts_unforwarded ON receipts (forwarded) WHERE forwarded = 0;
CREATE INDEX IF NOT EXISTS receipts_request ON receipts (request_id);
CREATE TABLE IF NOT EXISTS tensors (hash TEXT PRIMARY KEY, encoding BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS batches (
  sequence TEXT NOT NULL,
  batch_id TEXT NOT NULL UNIQUE,
  members TEXT NOT NULL,
  file_text TEXT NOT NULL,
  root TEXT NOT NULL,
  count INTEGER NOT NULL,
  data_hash TEXT NOT NULL,
  signature TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'signed' CHECK (state IN ('signed', 'released', 'attested', 'dead')),
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS batches_sequence ON batches (sequence);
CREATE INDEX IF NOT EXISTS batches_open ON batches (state) WHERE state IN ('signed', 'released');
CREATE TABLE IF NOT EXISTS router_assignments (
  request_id TEXT NOT NULL,
  round INTEGER NOT NULL,
  slot INTEGER NOT NULL,
  block_number INTEGER NOT NULL,
  deadline INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'answered', 'skipped')),
  reason TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  receipt_hash TEXT,
  PRIMARY KEY (request_id, round, slot)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** Databases from before batch states kept one batch per sequence: rebuild the table with every batch `signed`. */
function migrateBatchesWithoutStates(db: Database.Database): void {
  const columns = db.prepare("PRAGMA table_info(batches)").all() as { name: string }[];
  if (columns.length === 0 || columns.some((column) => column.name === "state")) return;
  db.exec("ALTER TABLE batches RENAME TO batches_before_states");
  db.exec(SCHEMA);
  db.exec(
    `INSERT INTO batches (sequence, batch_id, members, file_text, root, count, data_hash, signature, state, created_at)
     SELECT sequence, batch_id, members, file_text, root, count, data_hash, signature, 'signed', created_at
     FROM batches_before_states`,
  );
  db.exec("DROP TABLE batches_before_states");
}

/**
 * The node database's schema, one forward step per version (`PRAGMA user_version`). Version 1 is the schema from
 * before versioning; its `IF NOT EXISTS` lets a database written then adopt version 1 as it is. Add a step to change
 * the schema; never edit one that shipped.
 */
export const NODE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "receipts, tensors, batches with states, router assignments, meta",
    up: (db) => {
      migrateBatchesWithoutStates(db);
      db.exec(SCHEMA);
    },
  },
];

/**
 * The node's durable state (SQLite, WAL, `synchronous = FULL`): every receipt it signed with its tensors, the outbox
 * flag, signed batches with their exact file text, the router cursor and the assignments seen. A write returns only
 * once it is on disk, so an answer sent after it never names something a crash could lose.
 */
export class NodeStore {
  private readonly db: Database.Database;
  private commits: GroupCommit | undefined;
  private insertTensorStatement: Database.Statement | undefined;
  private insertReceiptStatement: Database.Statement | undefined;

  /**
   * @param backgroundSync Group commits fsync the WAL on the thread pool, off the event loop (default true; false:
   *   SQLite's own fsync inside each group's commit, the path before).
   */
  constructor(
    private readonly file: string,
    private readonly backgroundSync = true,
  ) {
    this.db = openDatabase({
      file,
      name: "node database",
      migrations: NODE_MIGRATIONS,
      pragmas: ["journal_mode = WAL", "synchronous = FULL", "busy_timeout = 5000"],
    });
  }

  close(): void {
    this.commits?.close();
    if (this.db.open) this.db.close();
  }

  /**
   * Stores a signed receipt like {@link insertReceipt}, and resolves once it is durable. With `grouped` (the
   * default), receipts stored during the same turn of the event loop share ONE transaction and fsync (group commit),
   * which is what lets `/v1/infer` answer thousands of requests per second with every answer's receipt on disk.
   */
  storeReceipt(
    record: StoredReceipt,
    tensors: { hash: Hex; encoding: Uint8Array }[],
    also?: () => void,
    grouped = true,
  ): Promise<void> {
    if (!grouped) {
      this.insertReceipt(record, tensors, also);
      return Promise.resolve();
    }
    // The WAL fsync of a group runs on the thread pool while the event loop serves the next requests.
    this.commits ??= new GroupCommit(this.db, this.backgroundSync ? { backgroundSync: { file: this.file } } : {});
    return this.commits.run(() => this.insertReceipt(record, tensors, also));
  }

  /** Stores a signed receipt with its input and output encodings in one transaction; `also` runs inside it. */
  insertReceipt(record: StoredReceipt, tensors: { hash: Hex; encoding: Uint8Array }[], also?: () => void): void {
    this.insertTensorStatement ??= this.db.prepare("INSERT OR IGNORE INTO tensors (hash, encoding) VALUES (?, ?)");
    const insertTensor = this.insertTensorStatement;
    this.insertReceiptStatement ??= this.db.prepare(
      `INSERT INTO receipts (receipt_hash, request_id, model_id, input_hash, output_hash, trace_root, node, issued_at,
         signature, source, dishonest, forwarded, batch_id, created_at)
       VALUES (@receiptHash, @requestId, @modelId, @inputHash, @outputHash, @traceRoot, @node, @issuedAt, @signature,
         @source, @dishonest, 0, NULL, @createdAt)`,
    );
    const insertReceipt = this.insertReceiptStatement;
    this.db.transaction(() => {
      for (const tensor of tensors) insertTensor.run(tensor.hash, Buffer.from(tensor.encoding));
      const r = record.receipt;
      insertReceipt.run({
        receiptHash: record.receiptHash,
        requestId: r.requestId.toLowerCase(),
        modelId: r.modelId.toLowerCase(),
        inputHash: r.inputHash.toLowerCase(),
        outputHash: r.outputHash.toLowerCase(),
        traceRoot: r.traceRoot.toLowerCase(),
        node: r.node.toLowerCase(),
        issuedAt: r.issuedAt.toString(10),
        signature: record.signature,
        source: record.source,
        dishonest: record.dishonest ? 1 : 0,
        createdAt: Date.now(),
      });
      also?.();
    })();
  }

  getReceipt(receiptHash: Hex): StoredReceipt | undefined {
    const row = this.db.prepare("SELECT * FROM receipts WHERE receipt_hash = ?").get(receiptHash.toLowerCase()) as
      ReceiptRow | undefined;
    return row && toStoredReceipt(row);
  }

  /** The receipts with these hashes (missing ones are left out). */
  getReceipts(receiptHashes: readonly Hex[]): StoredReceipt[] {
    const statement = this.db.prepare("SELECT * FROM receipts WHERE receipt_hash = ?");
    return receiptHashes.flatMap((hash) => {
      const row = statement.get(hash.toLowerCase()) as ReceiptRow | undefined;
      return row ? [toStoredReceipt(row)] : [];
    });
  }

  /** Receipts signed for a request id from one source. */
  findReceiptsByRequest(requestId: Hex, source: ReceiptSource): StoredReceipt[] {
    const rows = this.db
      .prepare("SELECT * FROM receipts WHERE request_id = ? AND source = ? ORDER BY rowid")
      .all(requestId.toLowerCase(), source) as ReceiptRow[];
    return rows.map(toStoredReceipt);
  }

  getTensor(hash: Hex): Uint8Array | undefined {
    const row = this.db.prepare("SELECT encoding FROM tensors WHERE hash = ?").get(hash.toLowerCase()) as
      { encoding: Buffer } | undefined;
    return row && new Uint8Array(row.encoding);
  }

  /** The oldest receipts not yet acknowledged by the keeper, in signing order. */
  getOutbox(limit: number): StoredReceipt[] {
    const rows = this.db
      .prepare("SELECT * FROM receipts WHERE forwarded = 0 ORDER BY rowid LIMIT ?")
      .all(limit) as ReceiptRow[];
    return rows.map(toStoredReceipt);
  }

  markForwarded(receiptHashes: readonly Hex[]): void {
    const statement = this.db.prepare("UPDATE receipts SET forwarded = 1 WHERE receipt_hash = ?");
    this.db.transaction(() => {
      for (const hash of receiptHashes) statement.run(hash.toLowerCase());
    })();
  }

  countOutbox(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM receipts WHERE forwarded = 0").get() as { n: number }).n;
  }

  /** Receipt counts for introspection: by source, corrupted ones, forwarded ones. */
  countReceipts(): { api: number; router: number; dishonest: number; forwarded: number } {
    return this.db
      .prepare(
        `SELECT COALESCE(SUM(source = 'api'), 0) AS api, COALESCE(SUM(source = 'router'), 0) AS router,
           COALESCE(SUM(dishonest), 0) AS dishonest, COALESCE(SUM(forwarded), 0) AS forwarded FROM receipts`,
      )
      .get() as { api: number; router: number; dishonest: number; forwarded: number };
  }

  /** Every batch signed at `sequence` (several only when the keeper released one). */
  getBatchesAt(sequence: bigint): StoredBatch[] {
    const rows = this.db
      .prepare("SELECT * FROM batches WHERE sequence = ? ORDER BY rowid")
      .all(sequence.toString(10)) as BatchRow[];
    return rows.map(toStoredBatch);
  }

  getBatchById(batchId: Hex): StoredBatch | undefined {
    const row = this.db.prepare("SELECT * FROM batches WHERE batch_id = ?").get(batchId.toLowerCase()) as
      BatchRow | undefined;
    return row && toStoredBatch(row);
  }

  /** Batches in one of `states`, oldest first. */
  getBatchesInState(...states: BatchState[]): StoredBatch[] {
    const rows = this.db
      .prepare(`SELECT * FROM batches WHERE state IN (${states.map(() => "?").join(", ")}) ORDER BY rowid`)
      .all(...states) as BatchRow[];
    return rows.map(toStoredBatch);
  }

  /**
   * Stores a signed batch and marks its receipts as members, in one transaction. `check` runs first inside the
   * transaction (so nothing changed between the caller's checks and the write) and may throw to abort. A released or
   * dead batch with the same id (the same receipts signed again) is replaced.
   */
  insertBatch(batch: Omit<StoredBatch, "state">, check: () => void): void {
    const setBatch = this.db.prepare("UPDATE receipts SET batch_id = ? WHERE receipt_hash = ?");
    this.db.transaction(() => {
      check();
      this.db
        .prepare("DELETE FROM batches WHERE batch_id = ? AND state IN ('released', 'dead')")
        .run(batch.batchId.toLowerCase());
      this.db
        .prepare(
          `INSERT INTO batches (sequence, batch_id, members, file_text, root, count, data_hash, signature, state,
             created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'signed', ?)`,
        )
        .run(
          batch.sequence.toString(10),
          batch.batchId.toLowerCase(),
          JSON.stringify(batch.members),
          batch.fileText,
          batch.root,
          batch.count,
          batch.dataHash,
          batch.signature,
          Date.now(),
        );
      for (const hash of batch.members) setBatch.run(batch.batchId.toLowerCase(), hash);
    })();
  }

  /** Marks a signed batch released and frees its receipts, in one transaction. */
  releaseBatch(batchId: Hex): void {
    const id = batchId.toLowerCase();
    this.db.transaction(() => {
      this.db.prepare("UPDATE batches SET state = 'released' WHERE batch_id = ? AND state = 'signed'").run(id);
      this.db.prepare("UPDATE receipts SET batch_id = NULL WHERE batch_id = ?").run(id);
    })();
  }

  /**
   * Records what the confirmed chain decided, in one transaction: `attested` batches claim their receipts (from any
   * batch that shared their sequence), then `dead` ones free the receipts still theirs.
   */
  resolveBatches(attested: readonly StoredBatch[], dead: readonly StoredBatch[]): void {
    const setState = this.db.prepare("UPDATE batches SET state = ? WHERE batch_id = ?");
    const claim = this.db.prepare("UPDATE receipts SET batch_id = ? WHERE receipt_hash = ?");
    const free = this.db.prepare("UPDATE receipts SET batch_id = NULL WHERE batch_id = ?");
    this.db.transaction(() => {
      for (const batch of attested) {
        setState.run("attested", batch.batchId);
        for (const hash of batch.members) claim.run(batch.batchId, hash);
      }
      for (const batch of dead) {
        setState.run("dead", batch.batchId);
        free.run(batch.batchId);
      }
    })();
  }

  countBatches(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM batches").get() as { n: number }).n;
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .run(key, value);
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  /** Records newly seen assignments and moves the router cursor, in one transaction. */
  recordAssignments(
    assignments: readonly Pick<AssignmentRecord, "requestId" | "round" | "slot" | "blockNumber" | "deadline">[],
    nextBlock: bigint,
  ): void {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO router_assignments (request_id, round, slot, block_number, deadline, status)
       VALUES (?, ?, ?, ?, ?, 'pending')`,
    );
    this.db.transaction(() => {
      for (const a of assignments) {
        insert.run(a.requestId.toLowerCase(), a.round, a.slot, Number(a.blockNumber), a.deadline);
      }
      this.db
        .prepare("INSERT INTO meta (key, value) VALUES ('routerCursor', ?) ON CONFLICT(key) DO UPDATE SET value = ?")
        .run(nextBlock.toString(10), nextBlock.toString(10));
    })();
  }

  /** The next block the router watcher reads, if it ever ran. */
  getRouterCursor(): bigint | undefined {
    const value = this.getMeta("routerCursor");
    return value === undefined ? undefined : BigInt(value);
  }

  /** Pending assignments whose next attempt is due, oldest first. */
  getDueAssignments(now: number): AssignmentRecord[] {
    const rows = this.db
      .prepare(
        "SELECT * FROM router_assignments WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY block_number, rowid",
      )
      .all(now) as AssignmentRow[];
    return rows.map(toAssignment);
  }

  getAssignments(): AssignmentRecord[] {
    return (
      this.db.prepare("SELECT * FROM router_assignments ORDER BY block_number, rowid").all() as AssignmentRow[]
    ).map(toAssignment);
  }

  /** Marks an assignment skipped, with the reason. */
  skipAssignment(a: Pick<AssignmentRecord, "requestId" | "round" | "slot">, reason: string): void {
    this.db
      .prepare(
        "UPDATE router_assignments SET status = 'skipped', reason = ? WHERE request_id = ? AND round = ? AND slot = ?",
      )
      .run(reason, a.requestId.toLowerCase(), a.round, a.slot);
  }

  /** Counts a failed attempt and schedules the next one. */
  retryAssignment(
    a: Pick<AssignmentRecord, "requestId" | "round" | "slot">,
    reason: string,
    nextAttemptAt: number,
  ): void {
    this.db
      .prepare(
        `UPDATE router_assignments SET attempts = attempts + 1, reason = ?, next_attempt_at = ?
         WHERE request_id = ? AND round = ? AND slot = ?`,
      )
      .run(reason, nextAttemptAt, a.requestId.toLowerCase(), a.round, a.slot);
  }

  /** Marks an assignment answered (call inside {@link insertReceipt}'s `also` so both commit together). */
  answerAssignment(a: Pick<AssignmentRecord, "requestId" | "round" | "slot">, receiptHash: Hex): void {
    this.db
      .prepare(
        `UPDATE router_assignments SET status = 'answered', reason = NULL, receipt_hash = ?
         WHERE request_id = ? AND round = ? AND slot = ?`,
      )
      .run(receiptHash, a.requestId.toLowerCase(), a.round, a.slot);
  }
}

function toStoredReceipt(row: ReceiptRow): StoredReceipt {
  return {
    receiptHash: row.receipt_hash as Hex,
    receipt: {
      requestId: row.request_id as Hex,
      modelId: row.model_id as Hex,
      inputHash: row.input_hash as Hex,
      outputHash: row.output_hash as Hex,
      traceRoot: row.trace_root as Hex,
      node: row.node as Address,
      issuedAt: BigInt(row.issued_at),
    },
    signature: row.signature as Hex,
    source: row.source,
    dishonest: row.dishonest === 1,
    forwarded: row.forwarded === 1,
    batchId: row.batch_id as Hex | null,
  };
}

function toStoredBatch(row: BatchRow): StoredBatch {
  return {
    sequence: BigInt(row.sequence),
    batchId: row.batch_id as Hex,
    members: JSON.parse(row.members) as Hex[],
    fileText: row.file_text,
    root: row.root as Hex,
    count: row.count,
    dataHash: row.data_hash as Hex,
    signature: row.signature as Hex,
    state: row.state,
  };
}

function toAssignment(row: AssignmentRow): AssignmentRecord {
  return {
    requestId: row.request_id as Hex,
    round: row.round,
    slot: row.slot,
    blockNumber: BigInt(row.block_number),
    deadline: row.deadline,
    status: row.status,
    reason: row.reason,
    attempts: row.attempts,
    receiptHash: row.receipt_hash as Hex | null,
  };
}
