import type { Hex } from "viem";
import { fraudGameOutcomeNames, reasonNames } from "../chain/enums.generated";
import { buildMerkleTree, bytesToHex, getMerkleProof, hexToBytes } from "../protocol";
import { getBatchTreeProof } from "../indexer/batchTree";
import { getReputation, type Reputation } from "../indexer/getReputation";
import type { IndexStore } from "../indexer/IndexStore";
import { gameTurn, type GameTurn } from "./gameTurn";

/** Row shapes returned by the API (snake_case columns become camelCase fields). */
type Row = Record<string, unknown>;

/** A timeline entry: one stored event. */
export interface TimelineEvent {
  blockNumber: number;
  logIndex: number;
  txHash: string;
  timestamp: number;
  contract: string;
  name: string;
  args: Record<string, unknown>;
}

/** A fraud-game timeline entry: the event, the transaction's sender and its side in the game, the function, the gas. */
export interface GameTimelineEvent extends TimelineEvent {
  sender: string | null;
  /** The sender's side: the accused node, the challenger, or someone else (a timeout sent by a third party). */
  by: "node" | "challenger" | "other" | null;
  functionName: string | null;
  gasUsed: string | null;
  /** Blocks since the game opened. */
  blocksIn: number;
}

/** A fraud game's record with its outcome and reason as names. */
export type GameSummary = Row & { gameId: string; outcome: string; reason: string | null; node: string };

/** What a receipt is now: in its challenge window, disputed, rejected by a dispute, or final. */
export type ReceiptState = "attested" | "disputed" | "rejected" | "final";

export const NODE_ROLES = ["inference", "verifier"] as const;
export const DISPUTE_OUTCOMES = ["open", "node wrong", "node right", "expired"] as const;
export const VERIFICATION_MODES = ["EXACT", "TOLERANCE", "TEE", "ZK"] as const;

const HOURS_PLOTTED = 48;
const TREE_CACHE_SIZE = 64;

/** A node with its counters and reputation. */
export type NodeSummary = Row & {
  address: string;
  activeStake: string;
  models: string[];
  role: string;
  jailed: boolean;
  deregistered: boolean;
  slashed: boolean;
  reputation: Reputation;
};

function camel(row: Row): Row {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]),
  );
}

/** `IFraudGame.Outcome` as words: "node wrong", "node right". */
export function gameOutcomeName(value: number): string {
  const name = fraudGameOutcomeNames[value];
  return name === "NodeWrong" ? "node wrong" : name === "NodeRight" ? "node right" : String(value);
}

/** `IFraudGame.Reason` as words: "one-step proof", "output mismatch", "timeout", … */
export function reasonName(value: number): string {
  const name = reasonNames[value];
  if (name === undefined) return String(value);
  return name === "OneStep" ? "one-step proof" : name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

function sum(values: readonly (string | null | undefined)[]): string {
  return values.reduce((total, value) => total + BigInt(value ?? "0"), 0n).toString(10);
}

/**
 * The read side of the index: every API answer and page is built from these queries. Lookups go through primary keys
 * or indexes, and the overview reads only per-node and per-hour aggregates, so answers stay fast at millions of
 * receipts.
 */
export class ExplorerQueries {
  private readonly trees = new Map<string, Uint8Array[]>();

  constructor(private readonly store: IndexStore) {}

  private all(sql: string, ...params: unknown[]): Row[] {
    return this.store.prepare(sql).all(...params) as Row[];
  }

  private get(sql: string, ...params: unknown[]): Row | undefined {
    return this.store.prepare(sql).get(...params) as Row | undefined;
  }

  head(): { block: string; timestamp: number } | null {
    const head = this.store.head();
    return head ? { block: head.number.toString(10), timestamp: head.timestamp } : null;
  }

  private now(): number {
    return this.store.head()?.timestamp ?? 0;
  }

  /** The overview: counts, totals and the two plots. */
  overview() {
    const nodes = this.nodes();
    const inference = nodes.filter((n) => n.role === "inference");
    const totals = this.get("SELECT COALESCE(SUM(receipts), 0) AS receipts FROM node_counters") as { receipts: number };
    const now = this.now();
    const currentHour = Math.floor(now / 3600);
    const hours = this.all(
      "SELECT hour, receipts FROM receipt_hours WHERE hour > ? ORDER BY hour",
      currentHour - HOURS_PLOTTED,
    ) as { hour: number; receipts: number }[];
    const slashes = this.all("SELECT slashed, to_treasury FROM slashes") as { slashed: string; to_treasury: string }[];
    const fees = this.all("SELECT to_treasury FROM requests WHERE to_treasury IS NOT NULL") as {
      to_treasury: string;
    }[];
    return {
      head: this.head(),
      nodes: {
        total: nodes.length,
        inference: inference.length,
        verifiers: nodes.length - inference.length,
        active: nodes.filter((n) => !n.jailed && !n.deregistered).length,
        jailed: nodes.filter((n) => n.jailed).length,
      },
      totalStake: sum(nodes.map((n) => n.activeStake as string)),
      models: (this.get("SELECT COUNT(*) AS n FROM models") as { n: number }).n,
      receipts: {
        total: totals.receipts,
        lastHour: hours.find((h) => h.hour === currentHour)?.receipts ?? 0,
        perHour: hours.map((h) => ({ time: h.hour * 3600, receipts: h.receipts })),
        range: [(currentHour - HOURS_PLOTTED + 1) * 3600, (currentHour + 1) * 3600],
      },
      disputes: {
        open: (this.get("SELECT COUNT(*) AS n FROM disputes WHERE outcome = 0") as { n: number }).n,
        total: (this.get("SELECT COUNT(*) AS n FROM disputes") as { n: number }).n,
      },
      slashes: { count: slashes.length, total: sum(slashes.map((s) => s.slashed)) },
      treasury: {
        fromSlashes: sum(slashes.map((s) => s.to_treasury)),
        fromFees: sum(fees.map((f) => f.to_treasury)),
        total: sum([...slashes.map((s) => s.to_treasury), ...fees.map((f) => f.to_treasury)]),
      },
      stakeByNode: nodes.map((n) => ({ node: n.address, role: n.role, stake: n.activeStake })),
      recentDisputes: this.disputes(5),
      recentEvents: this.recentEvents(15),
    };
  }

  /** Every node with its stake, counters and reputation. */
  nodes(): NodeSummary[] {
    return this.all(
      `SELECT n.*, c.receipts, c.disputes_lost, c.disputes_won, c.da_failures, c.missed_deadlines, c.equivocations
       FROM nodes n LEFT JOIN node_counters c ON c.node = n.address ORDER BY n.registered_at, n.address`,
    ).map((row) => this.withReputation(row));
  }

  private withReputation(row: Row): NodeSummary {
    const node = camel(row);
    const reputation = getReputation({
      attestedReceipts: Number(node.receipts ?? 0),
      disputesLost: Number(node.disputesLost ?? 0),
      dataAvailabilityFailures: Number(node.daFailures ?? 0),
      missedDeadlines: Number(node.missedDeadlines ?? 0),
      equivocations: Number(node.equivocations ?? 0),
      timesJailed: Number(node.jailCount ?? 0),
      jailed: Boolean(node.jailed),
    });
    return {
      ...node,
      address: String(node.address),
      activeStake: String(node.activeStake),
      models: JSON.parse(String(node.models ?? "[]")) as string[],
      role: NODE_ROLES[Number(node.role)] ?? "unknown",
      jailed: Boolean(node.jailed),
      deregistered: Boolean(node.deregistered),
      slashed: BigInt(String(node.slashedTotal ?? "0")) > 0n,
      reputation,
    };
  }

  /**
   * One node's page: its record, stake history, slashes, disputes, fraud games (newest first), demands, penalties and
   * latest receipts.
   */
  node(address: string):
    | (NodeSummary & {
        stakeHistory: Row[];
        slashes: Row[];
        disputes: (Row & { outcome: string })[];
        games: GameSummary[];
        demands: Row[];
        penalties: TimelineEvent[];
        jailings: TimelineEvent[];
        batches: Row[];
        latestReceipts: (Row & { state: ReceiptState })[];
      })
    | undefined {
    const row = this.get(
      `SELECT n.*, c.receipts, c.disputes_lost, c.disputes_won, c.da_failures, c.missed_deadlines, c.equivocations
       FROM nodes n LEFT JOIN node_counters c ON c.node = n.address WHERE n.address = ?`,
      address,
    );
    if (!row) return undefined;
    return {
      ...this.withReputation(row),
      stakeHistory: this.all(
        "SELECT block_number, timestamp, kind, amount, active_stake FROM stake_changes WHERE node = ? ORDER BY block_number, log_index",
        address,
      ).map((row) => camel(row)),
      slashes: this.all("SELECT * FROM slashes WHERE node = ? ORDER BY block_number", address).map((row) => camel(row)),
      disputes: this.all("SELECT * FROM disputes WHERE node = ? ORDER BY opened_at DESC LIMIT 100", address).map((d) =>
        this.disputeSummary(d),
      ),
      games: this.all(
        "SELECT * FROM games WHERE node = ? ORDER BY opened_block DESC, CAST(game_id AS INTEGER) DESC LIMIT 100",
        address,
      ).map((g) => this.gameSummary(g)),
      demands: this.all("SELECT * FROM demands WHERE node = ? ORDER BY opened_at DESC LIMIT 100", address).map((row) =>
        camel(row),
      ),
      penalties: this.timeline(
        "SELECT * FROM events WHERE node = ? AND name = 'NodePenalized' ORDER BY block_number",
        address,
      ),
      jailings: this.timeline(
        "SELECT * FROM events WHERE node = ? AND name IN ('NodeJailed', 'NodeUnjailed') ORDER BY block_number, log_index",
        address,
      ),
      batches: this.all(
        "SELECT batch_id, sequence, count, timestamp, contents FROM batches WHERE node = ? ORDER BY block_number DESC LIMIT 50",
        address,
      ).map((row) => camel(row)),
      latestReceipts: this.all("SELECT * FROM receipts WHERE node = ? ORDER BY attested_at DESC LIMIT 50", address).map(
        (r) => this.receiptSummary(r),
      ),
    };
  }

  models() {
    return this.all("SELECT * FROM models ORDER BY registered_at").map((m) => this.modelSummary(m));
  }

  private modelSummary(row: Row): Row & { mode: string; deprecated: boolean } {
    const model = camel(row);
    return {
      ...model,
      mode: VERIFICATION_MODES[Number(model.mode)] ?? "unknown",
      deprecated: Boolean(model.deprecated),
    };
  }

  /** One model's page: its record, the nodes that serve it, and its latest receipts. */
  model(modelId: string):
    | (Row & {
        mode: string;
        deprecated: boolean;
        servedBy: Pick<NodeSummary, "address" | "jailed" | "activeStake" | "reputation">[];
        receiptCount: number;
        receipts: (Row & { state: ReceiptState })[];
      })
    | undefined {
    const row = this.get("SELECT * FROM models WHERE model_id = ?", modelId);
    if (!row) return undefined;
    return {
      ...this.modelSummary(row),
      servedBy: this.nodes()
        .filter((n) => n.models.includes(modelId))
        .map((n) => ({
          address: n.address,
          jailed: n.jailed,
          activeStake: n.activeStake,
          reputation: n.reputation,
        })),
      receiptCount: (this.get("SELECT COUNT(*) AS n FROM receipts WHERE model_id = ?", modelId) as { n: number }).n,
      receipts: this.all("SELECT * FROM receipts WHERE model_id = ? ORDER BY attested_at DESC LIMIT 50", modelId).map(
        (r) => this.receiptSummary(r),
      ),
    };
  }

  private receiptState(row: Row): ReceiptState {
    if (row.dispute === "open") return "disputed";
    if (row.dispute === "rejected") return "rejected";
    return this.now() > Number(row.window_end ?? row.windowEnd) ? "final" : "attested";
  }

  private receiptSummary(row: Row): Row & { state: ReceiptState } {
    return { ...camel(row), state: this.receiptState(row) };
  }

  /**
   * A receipt by its hash, or the receipts of a request id: state, batch, Merkle proof (when the batch file was
   * indexed), disputes with their timelines, and the router request when it is one.
   */
  receipts(hashOrRequestId: string): (Row & {
    state: ReceiptState;
    batch: Row | null;
    proof: Hex[] | null;
    disputes: (Row & { outcome: string; timeline: TimelineEvent[] })[];
    games: NonNullable<ReturnType<ExplorerQueries["game"]>>[];
    request: Row | null;
  })[] {
    let rows = this.all("SELECT * FROM receipts WHERE receipt_hash = ?", hashOrRequestId);
    if (rows.length === 0) rows = this.all("SELECT * FROM receipts WHERE request_id = ? LIMIT 20", hashOrRequestId);
    return rows.map((row) => {
      const batchRow = row.batch_id ? this.get("SELECT * FROM batches WHERE batch_id = ?", row.batch_id) : undefined;
      const batch = batchRow ? camel(batchRow) : undefined;
      return {
        ...this.receiptSummary(row),
        batch: batch ?? null,
        proof: batch ? this.proof(row, batch) : null,
        disputes: this.all("SELECT * FROM disputes WHERE receipt_hash = ? ORDER BY opened_at", row.receipt_hash).map(
          (d) => this.dispute(String(d.dispute_id))!,
        ),
        games: this.all("SELECT game_id FROM games WHERE receipt_hash = ? ORDER BY opened_block", row.receipt_hash).map(
          (g) => this.game(String(g.game_id))!,
        ),
        request: this.requestRow(row.request_id),
      };
    });
  }

  /**
   * The Merkle proof of a batched receipt: `depth` slices of the batch's tree, stored when its file was indexed (one
   * primary-key read). A batch without a stored tree (none should be left after schema step 3) has its tree rebuilt
   * from its leaves, and the trees of recently asked such batches are kept (64).
   */
  private proof(row: Row, batch: Row): Hex[] | null {
    if (row.leaf_index === null || batch.contents !== "indexed") return null;
    const batchId = String(row.batch_id);
    const stored = this.get("SELECT tree FROM batch_trees WHERE batch_id = ?", batchId) as { tree: Buffer } | undefined;
    if (stored) return getBatchTreeProof(stored.tree, Number(row.leaf_index));
    let tree = this.trees.get(batchId);
    if (tree) {
      this.trees.delete(batchId);
    } else {
      const leaves = this.all(
        "SELECT leaf FROM receipts WHERE batch_id = ? AND leaf_index IS NOT NULL ORDER BY leaf_index",
        batchId,
      ).map((r) => hexToBytes(r.leaf as Hex));
      if (leaves.length !== Number(batch.count)) return null;
      tree = buildMerkleTree(leaves);
    }
    this.trees.set(batchId, tree);
    if (this.trees.size > TREE_CACHE_SIZE) this.trees.delete(this.trees.keys().next().value!);
    return getMerkleProof(tree, Number(row.leaf_index)).map((p) => bytesToHex(p));
  }

  private disputeSummary(row: Row): Row & { outcome: string } {
    const dispute = camel(row);
    return { ...dispute, outcome: DISPUTE_OUTCOMES[Number(dispute.outcome)] ?? "unknown" };
  }

  disputes(limit = 100) {
    return this.all("SELECT * FROM disputes ORDER BY opened_at DESC, dispute_id DESC LIMIT ?", limit).map((d) =>
      this.disputeSummary(d),
    );
  }

  /**
   * One dispute: its record, its timeline in chain order (challenge, draw, commits, reveals, verdict, the receipt's
   * resolution, slashes and payouts of the resolving transaction) and the payouts credited to each party.
   */
  dispute(disputeId: string): (Row & { outcome: string; timeline: TimelineEvent[]; payouts: Row[] }) | undefined {
    const row = this.get("SELECT * FROM disputes WHERE dispute_id = ?", disputeId);
    if (!row) return undefined;
    const resolveTx = this.get(
      "SELECT tx_hash FROM events WHERE dispute_id = ? AND name = 'DisputeResolved'",
      disputeId,
    ) as { tx_hash: string } | undefined;
    const timeline = this.timeline(
      `SELECT * FROM events WHERE dispute_id = ?
       UNION SELECT * FROM events WHERE receipt_hash = ? AND contract = 'attestationRegistry'
       UNION SELECT * FROM events WHERE tx_hash = ? AND name IN ('Slashed', 'SlashPaid', 'NodeJailed')
       ORDER BY block_number, log_index`,
      disputeId,
      row.receipt_hash,
      resolveTx?.tx_hash ?? "",
    );
    return {
      ...this.disputeSummary(row),
      timeline,
      payouts: this.all("SELECT * FROM payouts WHERE dispute_id = ? ORDER BY block_number, log_index", disputeId).map(
        (row) => camel(row),
      ),
    };
  }

  private gameSummary(row: Row): GameSummary {
    const game = camel(row);
    return {
      ...game,
      gameId: String(game.gameId),
      node: String(game.node),
      outcome: Number(game.outcome) === 0 ? "open" : gameOutcomeName(Number(game.outcome)),
      reason: game.reason === null || game.reason === undefined ? null : reasonName(Number(game.reason)),
    };
  }

  /** Fraud games, newest first. */
  games(limit = 100): GameSummary[] {
    return this.all("SELECT * FROM games ORDER BY opened_block DESC, CAST(game_id AS INTEGER) DESC LIMIT ?", limit).map(
      (g) => this.gameSummary(g),
    );
  }

  /**
   * One fraud game: its record, and its timeline in chain order — the opening, every move (who sent it, the function,
   * its gas and the blocks since the opening), the verdict (one-step proof, output or input mismatch, or timeout), what
   * the same transactions did elsewhere (the receipt frozen, rejected or released; the slash and jail) and the
   * parties' claims after it — with the credits it paid.
   */
  game(gameId: string):
    | (GameSummary & {
        timeline: GameTimelineEvent[];
        payouts: Row[];
        gas: string;
        moveCount: number;
        /** An open game's turn: whose move, which, and the time left (as of the newest indexed block). */
        turn: GameTurn | null;
      })
    | undefined {
    const row = this.get("SELECT * FROM games WHERE game_id = ?", gameId);
    if (!row) return undefined;
    const game = this.gameSummary(row);
    const parties = [row.node, row.challenger, row.beneficiary].map(String);
    const events = this.timeline(
      `SELECT * FROM events WHERE game_id = ?
       UNION SELECT * FROM events WHERE game_id IS NULL
         AND tx_hash IN (SELECT tx_hash FROM events WHERE game_id = ?)
       UNION SELECT * FROM events WHERE contract = 'fraudGame' AND name = 'CreditClaimed' AND block_number >= ?
         AND json_extract(args, '$.account') IN (?, ?, ?)
       ORDER BY block_number, log_index`,
      gameId,
      gameId,
      row.resolved_block ?? Number.MAX_SAFE_INTEGER,
      ...parties,
    );
    const txs = new Map(
      (
        this.all(
          "SELECT * FROM transactions WHERE tx_hash IN (SELECT tx_hash FROM events WHERE game_id = ?)",
          gameId,
        ) as { tx_hash: string; sender: string; function_name: string | null; gas_used: string }[]
      ).map((t) => [t.tx_hash, t]),
    );
    const opened = Number(row.opened_block);
    const timeline = events.map((event): GameTimelineEvent => {
      const tx = txs.get(event.txHash);
      const sender = tx?.sender ?? null;
      return {
        ...event,
        sender,
        by: sender === null ? null : sender === row.node ? "node" : sender === row.challenger ? "challenger" : "other",
        functionName: tx?.function_name ?? null,
        gasUsed: tx?.gas_used ?? null,
        blocksIn: event.blockNumber - opened,
      };
    });
    return {
      ...game,
      timeline,
      payouts: this.all("SELECT * FROM payouts WHERE game_id = ? ORDER BY block_number, log_index", gameId).map((p) =>
        camel(p),
      ),
      gas: [...txs.values()].reduce((total, t) => total + BigInt(t.gas_used), 0n).toString(10),
      moveCount: txs.size,
      turn:
        game.outcome === "open"
          ? (gameTurn(
              timeline.filter((e) => e.contract === "fraudGame"),
              Number(row.deadline),
              this.now(),
            ) ?? null)
          : null,
    };
  }

  /** Every `FraudJudgeSet` of the attestation registry, newest first: which contract decides fraud-provable models. */
  fraudJudges(): { judge: string; previous: string; blockNumber: number; timestamp: number; txHash: string }[] {
    return this.timeline(
      "SELECT * FROM events WHERE contract = 'attestationRegistry' AND name = 'FraudJudgeSet' ORDER BY block_number DESC, log_index DESC",
    ).map((e) => ({
      judge: String(e.args.judge),
      previous: String(e.args.previous),
      blockNumber: e.blockNumber,
      timestamp: e.timestamp,
      txHash: e.txHash,
    }));
  }

  /**
   * Router disagreements left to the fraud game (`DisagreementNeedsFraudProof`), newest first, each with the game
   * that has since challenged its receipt, if any.
   */
  disagreements(limit = 100): (TimelineEvent & { game: GameSummary | null })[] {
    return this.timeline(
      `SELECT * FROM events WHERE contract = 'inferenceRouter' AND name = 'DisagreementNeedsFraudProof'
       ORDER BY block_number DESC, log_index DESC LIMIT ?`,
      limit,
    ).map((event) => {
      const game = this.get(
        "SELECT * FROM games WHERE receipt_hash = ? ORDER BY opened_block DESC LIMIT 1",
        String(event.args.receiptHash),
      );
      return { ...event, game: game ? this.gameSummary(game) : null };
    });
  }

  private requestRow(requestId: unknown): Row | null {
    const row = requestId ? this.get("SELECT * FROM requests WHERE request_id = ?", requestId) : undefined;
    return row ? camel(row) : null;
  }

  requests(limit = 100) {
    return this.all("SELECT * FROM requests ORDER BY created_at DESC LIMIT ?", limit).map((row) => camel(row));
  }

  /** One router request: its record, timeline (creation, assignments, fulfilments, penalties, settlement), receipts and payouts. */
  request(requestId: string): (Row & { timeline: TimelineEvent[]; receipts: Row[]; payouts: Row[] }) | undefined {
    const row = this.get("SELECT * FROM requests WHERE request_id = ?", requestId);
    if (!row) return undefined;
    return {
      ...camel(row),
      timeline: this.timeline("SELECT * FROM events WHERE request_id = ? ORDER BY block_number, log_index", requestId),
      receipts: this.all("SELECT * FROM receipts WHERE request_id = ?", requestId).map((r) => this.receiptSummary(r)),
      payouts: this.all("SELECT * FROM payouts WHERE request_id = ? ORDER BY block_number, log_index", requestId).map(
        (row) => camel(row),
      ),
    };
  }

  recentEvents(limit: number): TimelineEvent[] {
    return this.timeline("SELECT * FROM events ORDER BY block_number DESC, log_index DESC LIMIT ?", limit);
  }

  private timeline(sql: string, ...params: unknown[]): TimelineEvent[] {
    return this.all(sql, ...params).map((row) => ({
      blockNumber: row.block_number as number,
      logIndex: row.log_index as number,
      txHash: row.tx_hash as string,
      timestamp: row.timestamp as number,
      contract: row.contract as string,
      name: row.name as string,
      args: JSON.parse(row.args as string) as Record<string, unknown>,
    }));
  }
}
