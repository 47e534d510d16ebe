import type Database from "better-sqlite3";
import { randomBytes } from "node:crypto";
import type { Receipt } from "../protocol";
import { openDatabase, type Migration } from "../service/openDatabase";
import { backoffDelay } from "../service/backoff";

/** What the verifier concluded about one receipt. */
export type VerdictKind =
  /** Replay reproduced the claim under the model's policy. */
  | "valid"
  /** Replay produced a different output: challenge material. */
  | "wrong-output"
  /** The batch or receipt signature is not by the node's signer. */
  | "bad-signature"
  /** The receipt is not in the batch its proof names. */
  | "not-included"
  /** The model is not registered (or its runtime is unknown here). */
  | "unknown-model"
  /** Same output, but the trace root differs from the replay's (EXACT): logged, not challengeable by output. */
  | "wrong-trace"
  /** The input could not be found or decoded. */
  | "malformed"
  /** Not audited: outside the sampled share. */
  | "skipped";

/** A batch the verifier has seen on chain, with its audit state. */
export interface BatchRecord {
  batchId: string;
  node: string;
  sequence: bigint;
  root: string;
  count: number;
  dataHash: string;
  windowEnd: number;
  blockNumber: bigint;
  /** The transaction that attested it (its calldata carries the signature). */
  txHash: string;
  /** For a single receipt, the receipt itself (from its event); null for a batch. */
  receipt: Receipt | null;
  status: "pending" | "audited" | "failed";
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

export interface ReceiptVerdict {
  receiptHash: string;
  batchId: string;
  node: string;
  requestId: string;
  modelId: string;
  verdict: VerdictKind;
  reason: string;
  claimedOutputHash: string;
  replayOutputHash: string | null;
  checkedAt: number;
}

/**
 * A challenge the verifier decided to open; `state` moves intent → sent → confirmed → settled (the dispute decided the
 * receipt), or → failed. A confirmed challenge whose dispute expired undecided goes back to intent: the receipt is
 * challengeable again in its extended window.
 */
export interface ChallengeRecord {
  receiptHash: string;
  batchId: string;
  state: "intent" | "sent" | "confirmed" | "settled" | "failed";
  txHash: string | null;
  disputeId: string | null;
  error: string | null;
  updatedAt: number;
}

/** A committee duty: what this verifier will vote on a dispute, kept so a restart reveals the same vote. */
export interface DutyRecord {
  disputeId: string;
  verdict: number;
  outputHash: string;
  salt: string;
  state: "drawn" | "committed" | "revealed" | "missed";
  updatedAt: number;
}

/**
 * A fraud-proof game this verifier opened on a wrong runtime-v2 receipt; `state` moves intent → open → won | lost, and
 * won → claimed (or → credited when the verifier's beneficiary is another address, which claims the credit itself),
 * or → failed (not opened, with the error) or → taken (another challenger's game holds the receipt).
 * The receipt and its input are kept so the game can be played to its end after a restart without fetching anything.
 */
export interface FraudGameRecord {
  receiptHash: string;
  batchId: string;
  receipt: Receipt;
  /** Canonical encoding of the receipt's input, hex. */
  input: string;
  state: "intent" | "open" | "won" | "lost" | "claimed" | "credited" | "failed" | "taken";
  gameId: string | null;
  /** Block of `GameOpened` (move events are read from there). */
  openedAt: string | null;
  txHash: string | null;
  error: string | null;
  updatedAt: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS batches (
  batch_id TEXT PRIMARY KEY, node TEXT NOT NULL, sequence TEXT NOT NULL, root TEXT NOT NULL, count INTEGER NOT NULL,
  data_hash TEXT NOT NULL, window_end INTEGER NOT NULL, block_number TEXT NOT NULL, tx_hash TEXT NOT NULL,
  receipt_json TEXT, status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS batches_pending ON batches (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS receipts (
  receipt_hash TEXT PRIMARY KEY, batch_id TEXT NOT NULL, node TEXT NOT NULL, request_id TEXT NOT NULL,
  model_id TEXT NOT NULL, verdict TEXT NOT NULL, reason TEXT NOT NULL, claimed_output_hash TEXT NOT NULL,
  replay_output_hash TEXT, checked_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS receipts_by_batch ON receipts (batch_id);
CREATE TABLE IF NOT EXISTS challenges (
  receipt_hash TEXT PRIMARY KEY, batch_id TEXT NOT NULL, state TEXT NOT NULL, tx_hash TEXT, dispute_id TEXT,
  error TEXT, updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS checkpoints (block_number TEXT PRIMARY KEY, number INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS duties (
  dispute_id TEXT PRIMARY KEY, verdict INTEGER NOT NULL, output_hash TEXT NOT NULL, salt TEXT NOT NULL,
  state TEXT NOT NULL, updated_at INTEGER NOT NULL
);
`;

/**
 * The verifier database's schema, one forward step per version (`PRAGMA user_version`). Version 1 is the schema from
 * before versioning; its `IF NOT EXISTS` lets a database written then adopt version 1 as it is. Add a step to change
 * the schema; never edit one that shipped.
 */
export const VERDICT_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "meta, batches, receipt verdicts, challenges, checkpoints, committee duties",
    up: SCHEMA,
  },
  {
    version: 2,
    description: "fraud-proof games opened on wrong runtime-v2 receipts",
    up: `
CREATE TABLE fraud_games (
  receipt_hash TEXT PRIMARY KEY, batch_id TEXT NOT NULL, receipt_json TEXT NOT NULL, input_hex TEXT NOT NULL,
  state TEXT NOT NULL, game_id TEXT, opened_at TEXT, tx_hash TEXT, error TEXT, updated_at INTEGER NOT NULL
);
CREATE INDEX fraud_games_by_state ON fraud_games (state);
`,
  },
];

/** How to open a verifier database. */
export interface VerdictStoreOptions {
  /** True when a missing file is an error rather than a new database (status commands). */
  mustExist?: boolean | undefined;
}

/**
 * The verifier's durable state in SQLite (WAL mode): the block cursor, the batches seen and their audit state, one
 * verdict per receipt, the challenges opened (recorded as an intent before the transaction is sent, so a crash between
 * the two never leads to a second challenge) and committee duties with their commit salts.
 */
export class VerdictStore {
  private readonly db: Database.Database;

  constructor(file: string, options: VerdictStoreOptions = {}) {
    this.db = openDatabase({
      file,
      name: "verifier database",
      migrations: VERDICT_MIGRATIONS,
      pragmas: ["journal_mode = WAL", "synchronous = FULL"],
      mustExist: options.mustExist,
    });
  }

  close(): void {
    this.db.close();
  }

  /** A random 32-byte secret kept for the life of the database: the key of unpredictable sampling. */
  samplingSecret(): Buffer {
    const existing = this.getMeta("sampling_secret");
    if (existing) return Buffer.from(existing, "hex");
    const secret = randomBytes(32);
    this.db
      .prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('sampling_secret', ?)")
      .run(secret.toString("hex"));
    return Buffer.from(this.getMeta("sampling_secret")!, "hex");
  }

  /** The next block to read events from (undefined before the first run). */
  cursor(): bigint | undefined {
    const value = this.getMeta("cursor");
    return value === undefined ? undefined : BigInt(value);
  }

  /**
   * Records batches found in blocks up to `nextBlock - 1` and moves the cursor, in one transaction; `checkpoint` is
   * the hash of block `nextBlock - 1`, kept (the last 256) to notice a reorganization below the cursor later.
   */
  recordBlocks(
    batches: Omit<BatchRecord, "status" | "attempts" | "nextAttemptAt" | "lastError">[],
    nextBlock: bigint,
    checkpoint?: string,
  ) {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO batches (batch_id, node, sequence, root, count, data_hash, window_end, block_number,
         tx_hash, receipt_json)
       VALUES (@batchId, @node, @sequence, @root, @count, @dataHash, @windowEnd, @blockNumber, @txHash, @receiptJson)`,
    );
    this.db.transaction(() => {
      for (const batch of batches) {
        const { receipt, ...rest } = batch;
        insert.run({
          ...rest,
          sequence: batch.sequence.toString(),
          blockNumber: batch.blockNumber.toString(),
          receiptJson: receipt ? JSON.stringify({ ...receipt, issuedAt: receipt.issuedAt.toString() }) : null,
        });
      }
      this.setMeta("cursor", nextBlock.toString());
      if (checkpoint !== undefined) {
        const last = nextBlock - 1n;
        this.db
          .prepare("INSERT OR REPLACE INTO checkpoints (block_number, number, hash) VALUES (?, ?, ?)")
          .run(last.toString(), Number(last), checkpoint);
        this.db
          .prepare(
            "DELETE FROM checkpoints WHERE number NOT IN (SELECT number FROM checkpoints ORDER BY number DESC LIMIT 256)",
          )
          .run();
      }
    })();
  }

  /** The recorded block hashes below the cursor, newest first. */
  checkpoints(): { blockNumber: bigint; hash: string }[] {
    const rows = this.db.prepare("SELECT block_number, hash FROM checkpoints ORDER BY number DESC").all() as {
      block_number: string;
      hash: string;
    }[];
    return rows.map((row) => ({ blockNumber: BigInt(row.block_number), hash: row.hash }));
  }

  /**
   * Rewinds after a reorganization, in one transaction: the cursor goes back to `nextBlock`, checkpoints and batch
   * records at or after it are dropped (they are read again from the chain as it is now), and challenges of those
   * batches that never got through go back to `intent`. Returns the batch ids dropped.
   */
  rewind(nextBlock: bigint): string[] {
    return this.db.transaction(() => {
      const dropped = (
        this.db.prepare("SELECT batch_id, block_number FROM batches").all() as {
          batch_id: string;
          block_number: string;
        }[]
      )
        .filter((row) => BigInt(row.block_number) >= nextBlock)
        .map((row) => row.batch_id);
      const deleteBatch = this.db.prepare("DELETE FROM batches WHERE batch_id = ?");
      const resetFailed = this.db.prepare(
        "UPDATE challenges SET state = 'intent', error = NULL WHERE batch_id = ? AND state = 'failed'",
      );
      for (const id of dropped) {
        deleteBatch.run(id);
        resetFailed.run(id);
      }
      this.db.prepare("DELETE FROM checkpoints WHERE number >= ?").run(Number(nextBlock));
      this.setMeta("cursor", nextBlock.toString());
      return dropped;
    })();
  }

  /** Batches due for an audit attempt at `now` (unix seconds), oldest first. */
  dueBatches(now: number, limit = 100): BatchRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM batches WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY block_number, batch_id LIMIT ?`,
      )
      .all(now, limit) as BatchRow[];
    return rows.map(toBatchRecord);
  }

  getBatch(batchId: string): BatchRecord | undefined {
    const row = this.db.prepare("SELECT * FROM batches WHERE batch_id = ?").get(batchId) as BatchRow | undefined;
    return row && toBatchRecord(row);
  }

  /** Stores the verdicts of a batch and marks it audited, atomically; a verdict already stored is kept. */
  completeBatch(batchId: string, verdicts: ReceiptVerdict[]): void {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO receipts (receipt_hash, batch_id, node, request_id, model_id, verdict, reason,
         claimed_output_hash, replay_output_hash, checked_at)
       VALUES (@receiptHash, @batchId, @node, @requestId, @modelId, @verdict, @reason, @claimedOutputHash,
         @replayOutputHash, @checkedAt)`,
    );
    this.db.transaction(() => {
      for (const verdict of verdicts) insert.run(verdict);
      this.db.prepare("UPDATE batches SET status = 'audited', last_error = NULL WHERE batch_id = ?").run(batchId);
    })();
  }

  /**
   * Records a failed audit attempt and schedules the next one with exponential backoff (capped at 10 minutes); after
   * `maxAttempts` the batch is marked failed, with its last error kept for the operator.
   */
  retryBatch(batchId: string, error: string, now: number, maxAttempts = 12, random = Math.random): void {
    const batch = this.getBatch(batchId);
    if (!batch) return;
    const attempts = batch.attempts + 1;
    const delay = Math.ceil(backoffDelay(attempts, 2_000, 600_000, random) / 1_000);
    const status = attempts >= maxAttempts ? "failed" : "pending";
    this.db
      .prepare("UPDATE batches SET attempts = ?, next_attempt_at = ?, last_error = ?, status = ? WHERE batch_id = ?")
      .run(attempts, now + delay, error, status, batchId);
  }

  getVerdict(receiptHash: string): ReceiptVerdict | undefined {
    const row = this.db.prepare("SELECT * FROM receipts WHERE receipt_hash = ?").get(receiptHash) as
      ReceiptRow | undefined;
    return row && toVerdict(row);
  }

  verdicts(filter: { verdict?: VerdictKind; batchId?: string } = {}): ReceiptVerdict[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM receipts WHERE (@verdict IS NULL OR verdict = @verdict) AND (@batchId IS NULL OR batch_id = @batchId)
         ORDER BY checked_at, receipt_hash`,
      )
      .all({ verdict: filter.verdict ?? null, batchId: filter.batchId ?? null }) as ReceiptRow[];
    return rows.map(toVerdict);
  }

  /**
   * Records the intent to challenge a receipt. Returns false when a challenge for it was ever recorded: the caller
   * must then not send another one.
   */
  claimChallenge(receiptHash: string, batchId: string, now: number): boolean {
    const result = this.db
      .prepare(
        `INSERT OR IGNORE INTO challenges (receipt_hash, batch_id, state, updated_at) VALUES (?, ?, 'intent', ?)`,
      )
      .run(receiptHash, batchId, now);
    return result.changes === 1;
  }

  updateChallenge(receiptHash: string, update: Partial<Omit<ChallengeRecord, "receiptHash" | "batchId">>): void {
    const current = this.getChallenge(receiptHash);
    if (!current) throw new Error(`no challenge recorded for ${receiptHash}`);
    const next = { ...current, ...update };
    this.db
      .prepare(
        `UPDATE challenges SET state = @state, tx_hash = @txHash, dispute_id = @disputeId, error = @error,
           updated_at = @updatedAt WHERE receipt_hash = @receiptHash`,
      )
      .run(next);
  }

  getChallenge(receiptHash: string): ChallengeRecord | undefined {
    const row = this.db.prepare("SELECT * FROM challenges WHERE receipt_hash = ?").get(receiptHash) as
      ChallengeRow | undefined;
    return (
      row && {
        receiptHash: row.receipt_hash,
        batchId: row.batch_id,
        state: row.state,
        txHash: row.tx_hash,
        disputeId: row.dispute_id,
        error: row.error,
        updatedAt: row.updated_at,
      }
    );
  }

  challenges(): ChallengeRecord[] {
    const rows = this.db.prepare("SELECT receipt_hash FROM challenges ORDER BY updated_at").all() as {
      receipt_hash: string;
    }[];
    return rows.map((row) => this.getChallenge(row.receipt_hash)!);
  }

  /**
   * Records the intent to open a fraud game on a receipt, with the receipt and its input. Returns false when one was
   * ever recorded: the caller must then not open another.
   */
  claimFraudGame(record: Pick<FraudGameRecord, "receiptHash" | "batchId" | "receipt" | "input">, now: number): boolean {
    const result = this.db
      .prepare(
        `INSERT OR IGNORE INTO fraud_games (receipt_hash, batch_id, receipt_json, input_hex, state, updated_at)
         VALUES (?, ?, ?, ?, 'intent', ?)`,
      )
      .run(
        record.receiptHash,
        record.batchId,
        JSON.stringify({ ...record.receipt, issuedAt: record.receipt.issuedAt.toString() }),
        record.input,
        now,
      );
    return result.changes === 1;
  }

  updateFraudGame(
    receiptHash: string,
    update: Partial<Pick<FraudGameRecord, "state" | "gameId" | "openedAt" | "txHash" | "error" | "updatedAt">>,
  ): void {
    const current = this.getFraudGame(receiptHash);
    if (!current) throw new Error(`no fraud game recorded for ${receiptHash}`);
    const next = { ...current, ...update };
    this.db
      .prepare(
        `UPDATE fraud_games SET state = @state, game_id = @gameId, opened_at = @openedAt, tx_hash = @txHash,
           error = @error, updated_at = @updatedAt WHERE receipt_hash = @receiptHash`,
      )
      .run({
        receiptHash,
        state: next.state,
        gameId: next.gameId,
        openedAt: next.openedAt,
        txHash: next.txHash,
        error: next.error,
        updatedAt: next.updatedAt,
      });
  }

  getFraudGame(receiptHash: string): FraudGameRecord | undefined {
    const row = this.db.prepare("SELECT * FROM fraud_games WHERE receipt_hash = ?").get(receiptHash) as
      FraudGameRow | undefined;
    return row && toFraudGame(row);
  }

  /** Fraud games recorded, optionally only those in `states`, oldest first. */
  fraudGames(states?: readonly FraudGameRecord["state"][]): FraudGameRecord[] {
    const rows = this.db.prepare("SELECT * FROM fraud_games ORDER BY updated_at, receipt_hash").all() as FraudGameRow[];
    return rows.map(toFraudGame).filter((g) => !states || states.includes(g.state));
  }

  /** Records a committee duty once; a second call for the same dispute keeps the first vote and salt. */
  recordDuty(duty: Omit<DutyRecord, "state" | "updatedAt">, now: number): DutyRecord {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO duties (dispute_id, verdict, output_hash, salt, state, updated_at)
         VALUES (@disputeId, @verdict, @outputHash, @salt, 'drawn', @now)`,
      )
      .run({ ...duty, now });
    return this.getDuty(duty.disputeId)!;
  }

  setDutyState(disputeId: string, state: DutyRecord["state"], now: number): void {
    this.db.prepare("UPDATE duties SET state = ?, updated_at = ? WHERE dispute_id = ?").run(state, now, disputeId);
  }

  getDuty(disputeId: string): DutyRecord | undefined {
    const row = this.db.prepare("SELECT * FROM duties WHERE dispute_id = ?").get(disputeId) as DutyRow | undefined;
    return (
      row && {
        disputeId: row.dispute_id,
        verdict: row.verdict,
        outputHash: row.output_hash,
        salt: row.salt,
        state: row.state,
        updatedAt: row.updated_at,
      }
    );
  }

  /** A named progress marker (e.g. the committee-event cursor). */
  getMarker(name: string): string | undefined {
    return this.getMeta(`marker:${name}`);
  }

  setMarker(name: string, value: string): void {
    this.setMeta(`marker:${name}`, value);
  }

  /** Duties not finished yet (drawn or committed). */
  openDuties(): DutyRecord[] {
    const rows = this.db.prepare("SELECT dispute_id FROM duties WHERE state IN ('drawn', 'committed')").all() as {
      dispute_id: string;
    }[];
    return rows.map((row) => this.getDuty(row.dispute_id)!);
  }

  private getMeta(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value;
  }

  private setMeta(key: string, value: string): void {
    this.db
      .prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
      .run(key, value);
  }
}

interface BatchRow {
  batch_id: string;
  node: string;
  sequence: string;
  root: string;
  count: number;
  data_hash: string;
  window_end: number;
  block_number: string;
  tx_hash: string;
  receipt_json: string | null;
  status: BatchRecord["status"];
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

interface ReceiptRow {
  receipt_hash: string;
  batch_id: string;
  node: string;
  request_id: string;
  model_id: string;
  verdict: VerdictKind;
  reason: string;
  claimed_output_hash: string;
  replay_output_hash: string | null;
  checked_at: number;
}

interface ChallengeRow {
  receipt_hash: string;
  batch_id: string;
  state: ChallengeRecord["state"];
  tx_hash: string | null;
  dispute_id: string | null;
  error: string | null;
  updated_at: number;
}

interface FraudGameRow {
  receipt_hash: string;
  batch_id: string;
  receipt_json: string;
  input_hex: string;
  state: FraudGameRecord["state"];
  game_id: string | null;
  opened_at: string | null;
  tx_hash: string | null;
  error: string | null;
  updated_at: number;
}

function toFraudGame(row: FraudGameRow): FraudGameRecord {
  return {
    receiptHash: row.receipt_hash,
    batchId: row.batch_id,
    receipt: parseStoredReceipt(row.receipt_json),
    input: row.input_hex,
    state: row.state,
    gameId: row.game_id,
    openedAt: row.opened_at,
    txHash: row.tx_hash,
    error: row.error,
    updatedAt: row.updated_at,
  };
}

interface DutyRow {
  dispute_id: string;
  verdict: number;
  output_hash: string;
  salt: string;
  state: DutyRecord["state"];
  updated_at: number;
}

function toBatchRecord(row: BatchRow): BatchRecord {
  return {
    batchId: row.batch_id,
    node: row.node,
    sequence: BigInt(row.sequence),
    root: row.root,
    count: row.count,
    dataHash: row.data_hash,
    windowEnd: row.window_end,
    blockNumber: BigInt(row.block_number),
    txHash: row.tx_hash,
    receipt: row.receipt_json ? parseStoredReceipt(row.receipt_json) : null,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
  };
}

function parseStoredReceipt(json: string): Receipt {
  const stored = JSON.parse(json) as Omit<Receipt, "issuedAt"> & { issuedAt: string };
  return { ...stored, issuedAt: BigInt(stored.issuedAt) };
}

function toVerdict(row: ReceiptRow): ReceiptVerdict {
  return {
    receiptHash: row.receipt_hash,
    batchId: row.batch_id,
    node: row.node,
    requestId: row.request_id,
    modelId: row.model_id,
    verdict: row.verdict,
    reason: row.reason,
    claimedOutputHash: row.claimed_output_hash,
    replayOutputHash: row.replay_output_hash,
    checkedAt: row.checked_at,
  };
}
