import type Database from "better-sqlite3";
import type { Address, Hex } from "viem";
import { parseReceipt, type Receipt } from "../protocol";
import { openDatabase, type Migration } from "../service/openDatabase";

/** Where a batch is in its life. Every state is written only after the fact it records is durable. */
export type BatchState = "planned" | "signed" | "submitted" | "attested" | "failed";

/** A receipt that passed validation, ready to be stored. */
export interface ValidReceipt {
  hash: Hex;
  receipt: Receipt;
  signature: Hex;
  routerRequest: boolean;
}

/** A stored receipt. */
export interface StoredReceipt extends ValidReceipt {
  seq: number;
  batch: number | null;
  receivedAt: number;
}

/** A stored batch plan and what became of it. */
export interface StoredBatch {
  id: number;
  node: Address;
  sequence: bigint;
  root: Hex;
  count: number;
  state: BatchState;
  dataHash: Hex | null;
  signature: Hex | null;
  txHashes: Hex[];
  rawTx: Hex | null;
  nonce: number | null;
  gasUsed: bigint | null;
  blockNumber: bigint | null;
  error: string | null;
  createdAt: number;
}

/** Router work left for a receipt answering an on-chain request. */
export type RouterTaskState = "fulfil" | "track" | "done";

export interface RouterTask {
  receiptHash: Hex;
  requestId: Hex;
  batch: number;
  state: RouterTaskState;
  fulfilled: boolean;
  outcome: string | null;
  error: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS receipts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  hash BLOB NOT NULL UNIQUE,
  node BLOB NOT NULL,
  request_id BLOB NOT NULL,
  model_id BLOB NOT NULL,
  input_hash BLOB NOT NULL,
  output_hash BLOB NOT NULL,
  trace_root BLOB NOT NULL,
  issued_at TEXT NOT NULL,
  signature BLOB NOT NULL,
  router INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  batch INTEGER REFERENCES batches(id)
);
CREATE INDEX IF NOT EXISTS receipts_queue ON receipts(node, seq) WHERE batch IS NULL;
CREATE INDEX IF NOT EXISTS receipts_batch ON receipts(batch) WHERE batch IS NOT NULL;
CREATE TABLE IF NOT EXISTS batches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  node BLOB NOT NULL,
  sequence INTEGER NOT NULL,
  root BLOB NOT NULL,
  count INTEGER NOT NULL,
  state TEXT NOT NULL,
  data_hash BLOB,
  signature BLOB,
  tx_hashes TEXT NOT NULL DEFAULT '[]',
  raw_tx TEXT,
  nonce INTEGER,
  gas_used INTEGER,
  block_number INTEGER,
  error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS batches_open ON batches(state) WHERE state IN ('planned', 'signed', 'submitted');
CREATE INDEX IF NOT EXISTS batches_node ON batches(node, sequence);
CREATE TABLE IF NOT EXISTS router_tasks (
  receipt_hash BLOB PRIMARY KEY,
  request_id BLOB NOT NULL,
  batch INTEGER NOT NULL REFERENCES batches(id),
  state TEXT NOT NULL,
  fulfilled INTEGER NOT NULL DEFAULT 0,
  outcome TEXT,
  error TEXT,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS batch_leaves (
  batch INTEGER PRIMARY KEY REFERENCES batches(id),
  receipts TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS router_tasks_open ON router_tasks(state) WHERE state != 'done';
`;

/**
 * The keeper database's schema, one forward step per version (`PRAGMA user_version`). Version 1 is the schema from
 * before versioning; its `IF NOT EXISTS` lets a database written then adopt version 1 as it is. Add a step to change
 * the schema; never edit one that shipped.
 */
export const KEEPER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "receipts queue, batches, batch leaves, router tasks",
    up: SCHEMA,
  },
  {
    version: 2,
    description: "every router request on chain, followed until it is settled or refunded",
    up: `
CREATE TABLE watched_requests (
  request_id   BLOB PRIMARY KEY,
  open         INTEGER NOT NULL DEFAULT 1,
  next_look_at INTEGER NOT NULL DEFAULT 0,
  outcome      TEXT
);
CREATE INDEX watched_requests_due ON watched_requests (open, next_look_at);
CREATE TABLE keeper_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`,
  },
];

/** How to open a keeper database. */
export interface KeeperStoreOptions {
  /** True when a missing file is an error rather than a new database (status commands). */
  mustExist?: boolean | undefined;
}

const hex = (bytes: Buffer): Hex => `0x${bytes.toString("hex")}` as Hex;
const buf = (value: Hex): Buffer => Buffer.from(value.slice(2), "hex");
const optionalHex = (bytes: Buffer | null): Hex | null => (bytes ? hex(bytes) : null);

type ReceiptRow = {
  seq: number;
  hash: Buffer;
  node: Buffer;
  request_id: Buffer;
  model_id: Buffer;
  input_hash: Buffer;
  output_hash: Buffer;
  trace_root: Buffer;
  issued_at: string;
  signature: Buffer;
  router: number;
  received_at: number;
  batch: number | null;
};

type BatchRow = {
  id: number;
  node: Buffer;
  sequence: number;
  root: Buffer;
  count: number;
  state: BatchState;
  data_hash: Buffer | null;
  signature: Buffer | null;
  tx_hashes: string;
  raw_tx: string | null;
  nonce: number | null;
  gas_used: number | null;
  block_number: number | null;
  error: string | null;
  created_at: number;
};

type RouterTaskRow = {
  receipt_hash: Buffer;
  request_id: Buffer;
  batch: number;
  state: RouterTaskState;
  fulfilled: number;
  outcome: string | null;
  error: string | null;
};

function toReceipt(row: ReceiptRow): StoredReceipt {
  return {
    seq: row.seq,
    hash: hex(row.hash),
    receipt: {
      requestId: hex(row.request_id),
      modelId: hex(row.model_id),
      inputHash: hex(row.input_hash),
      outputHash: hex(row.output_hash),
      traceRoot: hex(row.trace_root),
      node: hex(row.node) as Address,
      issuedAt: BigInt(row.issued_at),
    },
    signature: hex(row.signature),
    routerRequest: row.router === 1,
    batch: row.batch,
    receivedAt: row.received_at,
  };
}

function toBatch(row: BatchRow): StoredBatch {
  return {
    id: row.id,
    node: hex(row.node) as Address,
    sequence: BigInt(row.sequence),
    root: hex(row.root),
    count: row.count,
    state: row.state,
    dataHash: optionalHex(row.data_hash),
    signature: optionalHex(row.signature),
    txHashes: JSON.parse(row.tx_hashes) as Hex[],
    rawTx: row.raw_tx as Hex | null,
    nonce: row.nonce,
    gasUsed: row.gas_used === null ? null : BigInt(row.gas_used),
    blockNumber: row.block_number === null ? null : BigInt(row.block_number),
    error: row.error,
    createdAt: row.created_at,
  };
}

function toTask(row: RouterTaskRow): RouterTask {
  return {
    receiptHash: hex(row.receipt_hash),
    requestId: hex(row.request_id),
    batch: row.batch,
    state: row.state,
    fulfilled: row.fulfilled === 1,
    outcome: row.outcome,
    error: row.error,
  };
}

/**
 * The keeper's durable state in one SQLite file (WAL, `synchronous = FULL`): the receipt queue, batch plans with
 * their signature and transaction, and router work. Every method that changes more than one row does it in one
 * transaction, so a crash leaves either the old or the new state.
 */
export class KeeperStore {
  readonly db: Database.Database;
  private readonly statements;

  constructor(file: string, options: KeeperStoreOptions = {}) {
    this.db = openDatabase({
      file,
      name: "keeper database",
      migrations: KEEPER_MIGRATIONS,
      pragmas: ["journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON", "busy_timeout = 5000"],
      mustExist: options.mustExist,
    });
    const db = this.db;
    this.statements = {
      insertReceipt: db.prepare(
        `INSERT OR IGNORE INTO receipts (hash, node, request_id, model_id, input_hash, output_hash, trace_root,
           issued_at, signature, router, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      receiptByHash: db.prepare(`SELECT * FROM receipts WHERE hash = ?`),
      nextQueuedNode: db.prepare(
        `SELECT node FROM receipts WHERE batch IS NULL AND node > ? ORDER BY node, seq LIMIT 1`,
      ),
      queuedOfNodeCapped: db.prepare(
        `SELECT COUNT(*) AS n FROM (SELECT 1 FROM receipts WHERE batch IS NULL AND node = ? LIMIT ?)`,
      ),
      oldestOfNode: db.prepare(
        `SELECT received_at FROM receipts WHERE batch IS NULL AND node = ? ORDER BY seq LIMIT 1`,
      ),
      anyQueued: db.prepare(`SELECT 1 FROM receipts WHERE batch IS NULL LIMIT 1`),
      queuedOf: db.prepare(`SELECT * FROM receipts WHERE batch IS NULL AND node = ? ORDER BY seq LIMIT ?`),
      queuedCount: db.prepare(`SELECT COUNT(*) AS n FROM receipts WHERE batch IS NULL`),
      membersOf: db.prepare(`SELECT * FROM receipts WHERE batch = ? ORDER BY seq`),
      assign: db.prepare(`UPDATE receipts SET batch = ? WHERE hash = ? AND batch IS NULL`),
      insertBatch: db.prepare(
        `INSERT INTO batches (node, sequence, root, count, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'planned', ?, ?)`,
      ),
      batchById: db.prepare(`SELECT * FROM batches WHERE id = ?`),
      openBatches: db.prepare(`SELECT * FROM batches WHERE state IN ('planned', 'signed', 'submitted') ORDER BY id`),
      lastSequence: db.prepare(`SELECT MAX(sequence) AS s FROM batches WHERE node = ? AND state != 'failed'`),
      setSigned: db.prepare(
        `UPDATE batches SET state = 'signed', data_hash = ?, signature = ?, updated_at = ? WHERE id = ?`,
      ),
      setSubmitted: db.prepare(
        `UPDATE batches SET state = 'submitted', tx_hashes = ?, raw_tx = ?, nonce = ?, updated_at = ? WHERE id = ?`,
      ),
      setAttested: db.prepare(
        `UPDATE batches SET state = 'attested', gas_used = ?, block_number = ?, error = NULL, updated_at = ?
         WHERE id = ?`,
      ),
      replan: db.prepare(
        `UPDATE batches SET state = 'planned', sequence = ?, data_hash = NULL, signature = NULL, raw_tx = NULL,
           nonce = NULL, error = ?, updated_at = ? WHERE id = ?`,
      ),
      backToSigned: db.prepare(
        `UPDATE batches SET state = 'signed', raw_tx = NULL, nonce = NULL, error = ?, updated_at = ? WHERE id = ?`,
      ),
      setFailed: db.prepare(`UPDATE batches SET state = 'failed', error = ?, updated_at = ? WHERE id = ?`),
      releaseMembers: db.prepare(`UPDATE receipts SET batch = NULL WHERE batch = ?`),
      setError: db.prepare(`UPDATE batches SET error = ?, updated_at = ? WHERE id = ?`),
      attestedByRoot: db.prepare(`SELECT * FROM batches WHERE node = ? AND root = ? AND state = 'attested'`),
      insertAttested: db.prepare(
        `INSERT INTO batches (node, sequence, root, count, state, error, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'attested', ?, ?, ?)`,
      ),
      insertLeaves: db.prepare(`INSERT OR IGNORE INTO batch_leaves (batch, receipts) VALUES (?, ?)`),
      leavesOf: db.prepare(`SELECT receipts FROM batch_leaves WHERE batch = ?`),
      moveMember: db.prepare(`UPDATE receipts SET batch = ? WHERE hash = ? AND batch = ?`),
      shrinkPlan: db.prepare(
        `UPDATE batches SET state = 'planned', root = ?, count = ?, data_hash = NULL, signature = NULL, raw_tx = NULL,
           nonce = NULL, error = ?, updated_at = ? WHERE id = ?`,
      ),
      batchStats: db.prepare(
        `SELECT state, COUNT(*) AS n, COALESCE(SUM(count), 0) AS receipts FROM batches GROUP BY state`,
      ),
      recentBatches: db.prepare(`SELECT * FROM batches ORDER BY id DESC LIMIT ?`),
      insertTask: db.prepare(
        `INSERT OR IGNORE INTO router_tasks (receipt_hash, request_id, batch, state, updated_at)
         VALUES (?, ?, ?, 'fulfil', ?)`,
      ),
      openTasks: db.prepare(`SELECT * FROM router_tasks WHERE state != 'done' ORDER BY updated_at`),
      taskByReceipt: db.prepare(`SELECT * FROM router_tasks WHERE receipt_hash = ?`),
      updateTask: db.prepare(
        `UPDATE router_tasks SET state = ?, fulfilled = ?, outcome = ?, error = ?, updated_at = ? WHERE receipt_hash = ?`,
      ),
      taskStats: db.prepare(`SELECT state, fulfilled, outcome, COUNT(*) AS n FROM router_tasks GROUP BY 1, 2, 3`),
    };
  }

  /**
   * Stores receipts that passed validation in ONE transaction (`INSERT OR IGNORE` on the struct hash); returns how
   * many were new. This is what `POST /v1/receipts` calls after validating, before it answers.
   */
  insertReceipts(receipts: readonly ValidReceipt[], now = Date.now()): { accepted: number; duplicates: number } {
    const insert = this.statements.insertReceipt;
    let accepted = 0;
    this.db.transaction(() => {
      for (const { hash, receipt: r, signature, routerRequest } of receipts) {
        const result = insert.run(
          buf(hash),
          buf(r.node.toLowerCase() as Hex),
          buf(r.requestId),
          buf(r.modelId),
          buf(r.inputHash),
          buf(r.outputHash),
          buf(r.traceRoot),
          r.issuedAt.toString(10),
          buf(signature),
          routerRequest ? 1 : 0,
          now,
        );
        accepted += result.changes;
      }
    })();
    return { accepted, duplicates: receipts.length - accepted };
  }

  receipt(hash: Hex): StoredReceipt | undefined {
    const row = this.statements.receiptByHash.get(buf(hash)) as ReceiptRow | undefined;
    return row ? toReceipt(row) : undefined;
  }

  /**
   * Per node: how many receipts wait (counted up to `cap`) and when the oldest arrived. Index seeks only (one skip
   * per node), so it stays cheap with a million receipts queued.
   */
  queuedNodes(cap = Number.MAX_SAFE_INTEGER): { node: Address; queued: number; oldest: number }[] {
    const result: { node: Address; queued: number; oldest: number }[] = [];
    let after: Buffer = Buffer.alloc(0);
    for (;;) {
      const row = this.statements.nextQueuedNode.get(after) as { node: Buffer } | undefined;
      if (!row) return result;
      after = row.node;
      const { n } = this.statements.queuedOfNodeCapped.get(row.node, cap) as { n: number };
      const { received_at } = this.statements.oldestOfNode.get(row.node) as { received_at: number };
      result.push({ node: hex(row.node) as Address, queued: n, oldest: received_at });
    }
  }

  /** Whether any receipt waits for a batch. */
  hasQueued(): boolean {
    return this.statements.anyQueued.get() !== undefined;
  }

  queuedCount(): number {
    return (this.statements.queuedCount.get() as { n: number }).n;
  }

  /** The oldest `limit` queued receipts of a node. */
  queuedOf(node: Address, limit: number): StoredReceipt[] {
    return (this.statements.queuedOf.all(buf(node.toLowerCase() as Hex), limit) as ReceiptRow[]).map(toReceipt);
  }

  members(batch: number): StoredReceipt[] {
    return (this.statements.membersOf.all(batch) as ReceiptRow[]).map(toReceipt);
  }

  /** The highest sequence of any batch this keeper planned for `node` (failed plans excluded). */
  lastSequence(node: Address): bigint | null {
    const row = this.statements.lastSequence.get(buf(node.toLowerCase() as Hex)) as { s: number | null };
    return row.s === null ? null : BigInt(row.s);
  }

  /** Writes a batch plan and assigns its members in one transaction; returns the batch id. */
  planBatch(plan: { node: Address; sequence: bigint; root: Hex; members: readonly Hex[] }, now = Date.now()): number {
    return this.db.transaction(() => {
      const { lastInsertRowid } = this.statements.insertBatch.run(
        buf(plan.node.toLowerCase() as Hex),
        Number(plan.sequence),
        buf(plan.root),
        plan.members.length,
        now,
        now,
      );
      const id = Number(lastInsertRowid);
      for (const hash of plan.members) {
        if (this.statements.assign.run(id, buf(hash)).changes !== 1) {
          throw new Error(`receipt ${hash} is not queued`);
        }
      }
      return id;
    })();
  }

  batch(id: number): StoredBatch | undefined {
    const row = this.statements.batchById.get(id) as BatchRow | undefined;
    return row ? toBatch(row) : undefined;
  }

  /** Batches not yet attested or failed, oldest first. */
  openBatches(): StoredBatch[] {
    return (this.statements.openBatches.all() as BatchRow[]).map(toBatch);
  }

  recentBatches(limit: number): StoredBatch[] {
    return (this.statements.recentBatches.all(limit) as BatchRow[]).map(toBatch);
  }

  markSigned(id: number, dataHash: Hex, signature: Hex): void {
    this.statements.setSigned.run(buf(dataHash), buf(signature), Date.now(), id);
  }

  /** Records a signed transaction before it is broadcast (hashes of every fee level sent so far). */
  markSubmitted(id: number, txHashes: readonly Hex[], rawTx: Hex, nonce: number): void {
    this.statements.setSubmitted.run(JSON.stringify(txHashes), rawTx, nonce, Date.now(), id);
  }

  /** Marks a batch attested and opens router work for its router receipts, in one transaction. */
  markAttested(id: number, gasUsed: bigint | null, blockNumber: bigint | null): void {
    const now = Date.now();
    this.db.transaction(() => {
      this.statements.setAttested.run(
        gasUsed === null ? null : Number(gasUsed),
        blockNumber === null ? null : Number(blockNumber),
        now,
        id,
      );
      for (const member of this.members(id)) {
        if (member.routerRequest)
          this.statements.insertTask.run(buf(member.hash), buf(member.receipt.requestId), id, now);
      }
    })();
  }

  /**
   * Records that some members of plan `id` were attested in another batch of the same node (one this keeper did not
   * plan, e.g. signed by someone else who reached the node), in one transaction: the other batch is stored as attested
   * with all its leaves (router proofs need them), the receipts move to it (router work opens for router receipts),
   * and the plan keeps the rest under `remainingRoot`, back to `planned` (or `failed`, requeueing nothing, when none
   * is left). Returns the other batch's id.
   */
  adoptAttested(
    id: number,
    attested: { node: Address; sequence: bigint; root: Hex; receipts: readonly Receipt[] },
    receiptHashes: readonly Hex[],
    remainingRoot: Hex | null,
    now = Date.now(),
  ): number {
    return this.db.transaction(() => {
      const node = buf(attested.node.toLowerCase() as Hex);
      const existing = this.statements.attestedByRoot.get(node, buf(attested.root)) as BatchRow | undefined;
      let foreign = existing?.id;
      if (foreign === undefined) {
        const { lastInsertRowid } = this.statements.insertAttested.run(
          node,
          Number(attested.sequence),
          buf(attested.root),
          attested.receipts.length,
          "attested in a batch this keeper did not plan",
          now,
          now,
        );
        foreign = Number(lastInsertRowid);
        const json = attested.receipts.map((r) => ({ ...r, issuedAt: r.issuedAt.toString(10) }));
        this.statements.insertLeaves.run(foreign, JSON.stringify(json));
      }
      for (const hash of receiptHashes) {
        if (this.statements.moveMember.run(foreign, buf(hash), id).changes !== 1) {
          throw new Error(`receipt ${hash} is not a member of batch ${id}`);
        }
        const member = this.receipt(hash)!;
        if (member.routerRequest)
          this.statements.insertTask.run(buf(hash), buf(member.receipt.requestId), foreign, now);
      }
      const left = this.members(id).length;
      const reason = `${receiptHashes.length} receipt(s) attested in batch ${attested.root}`;
      if (left === 0 || remainingRoot === null) this.statements.setFailed.run(`all ${reason}`, now, id);
      else this.statements.shrinkPlan.run(buf(remainingRoot), left, reason, now, id);
      return foreign;
    })();
  }

  /** All leaves of a batch this keeper adopted (it holds only some of them as members), else undefined. */
  leaves(batch: number): Receipt[] | undefined {
    const row = this.statements.leavesOf.get(batch) as { receipts: string } | undefined;
    return row ? (JSON.parse(row.receipts) as unknown[]).map((r) => parseReceipt(r)) : undefined;
  }

  /** Sends a plan back to the planner with a new sequence (its signature no longer applies). */
  replan(id: number, sequence: bigint, reason: string): void {
    this.statements.replan.run(Number(sequence), reason, Date.now(), id);
  }

  /** Forgets a transaction that never made it (its nonce went to another), keeping the signature. */
  unsubmit(id: number, reason: string): void {
    this.statements.backToSigned.run(reason, Date.now(), id);
  }

  /** Gives up on a plan: its members go back to the queue (to be planned again) in one transaction. */
  failBatch(id: number, reason: string, requeue: boolean): void {
    this.db.transaction(() => {
      this.statements.setFailed.run(reason, Date.now(), id);
      if (requeue) this.statements.releaseMembers.run(id);
    })();
  }

  noteError(id: number, error: string): void {
    this.statements.setError.run(error, Date.now(), id);
  }

  batchStats(): { state: BatchState; batches: number; receipts: number }[] {
    return (this.statements.batchStats.all() as { state: BatchState; n: number; receipts: number }[]).map((r) => ({
      state: r.state,
      batches: r.n,
      receipts: r.receipts,
    }));
  }

  /** The next block the request scan reads, or undefined before the first scan. */
  requestScanCursor(): bigint | undefined {
    const row = this.db.prepare("SELECT value FROM keeper_meta WHERE key = 'request_cursor'").get() as
      { value: string } | undefined;
    return row ? BigInt(row.value) : undefined;
  }

  /** Follows `requestIds` (each once) and moves the request scan to `nextBlock`, in one transaction. */
  watchRequests(requestIds: readonly Hex[], nextBlock: bigint): void {
    const insert = this.db.prepare("INSERT OR IGNORE INTO watched_requests (request_id) VALUES (?)");
    const cursor = this.db.prepare(
      "INSERT INTO keeper_meta (key, value) VALUES ('request_cursor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    this.db.transaction(() => {
      for (const id of requestIds) insert.run(buf(id));
      cursor.run(nextBlock.toString());
    })();
  }

  /** Followed requests due for a look at `now` (ms), the longest waiting first. */
  dueRequests(now: number, limit = 100): Hex[] {
    const rows = this.db
      .prepare(
        "SELECT request_id FROM watched_requests WHERE open = 1 AND next_look_at <= ? ORDER BY next_look_at LIMIT ?",
      )
      .all(now, limit) as { request_id: Buffer }[];
    return rows.map((r) => hex(r.request_id));
  }

  /** Looks at `requestId` again at `at` (ms) at the earliest. */
  lookAgainAt(requestId: Hex, at: number): void {
    this.db.prepare("UPDATE watched_requests SET next_look_at = ? WHERE request_id = ?").run(at, buf(requestId));
  }

  /** Stops following `requestId`, which reached `outcome` (Settled or Refunded). */
  closeRequest(requestId: Hex, outcome: string): void {
    this.db
      .prepare("UPDATE watched_requests SET open = 0, outcome = ? WHERE request_id = ?")
      .run(outcome, buf(requestId));
  }

  /** The outcome (Settled or Refunded) of a followed request that ended, or undefined while it is open or unknown. */
  requestOutcome(requestId: Hex): string | undefined {
    const row = this.db
      .prepare("SELECT outcome FROM watched_requests WHERE request_id = ? AND open = 0")
      .get(buf(requestId)) as { outcome: string | null } | undefined;
    return row?.outcome ?? undefined;
  }

  /** Followed requests not yet settled or refunded. */
  openRequestCount(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM watched_requests WHERE open = 1").get() as { n: number }).n;
  }

  openTasks(): RouterTask[] {
    return (this.statements.openTasks.all() as RouterTaskRow[]).map(toTask);
  }

  task(receiptHash: Hex): RouterTask | undefined {
    const row = this.statements.taskByReceipt.get(buf(receiptHash)) as RouterTaskRow | undefined;
    return row ? toTask(row) : undefined;
  }

  updateTask(task: RouterTask): void {
    this.statements.updateTask.run(
      task.state,
      task.fulfilled ? 1 : 0,
      task.outcome,
      task.error,
      Date.now(),
      buf(task.receiptHash),
    );
  }

  taskStats(): { state: RouterTaskState; fulfilled: boolean; outcome: string | null; tasks: number }[] {
    return (
      this.statements.taskStats.all() as {
        state: RouterTaskState;
        fulfilled: number;
        outcome: string | null;
        n: number;
      }[]
    ).map((r) => ({ state: r.state, fulfilled: r.fulfilled === 1, outcome: r.outcome, tasks: r.n }));
  }

  close(): void {
    this.db.close();
  }
}
