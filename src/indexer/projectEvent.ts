import { DisputeManagerOutcome, FraudGameOutcome } from "../chain/enums.generated";
import { arg, type EventValue, type VerityEvent } from "./decodeVerityLogs";

/** Runs one SQL statement (prepared once, cached by the store) with positional parameters. */
export type RunStatement = (sql: string, ...params: (string | number | null)[]) => void;

const COUNTER = "INSERT INTO node_counters (node) VALUES (?) ON CONFLICT (node) DO NOTHING";

function bump(run: RunStatement, node: string, column: string, by = 1): void {
  run(COUNTER, node);
  run(`UPDATE node_counters SET ${column} = ${column} + ? WHERE node = ?`, by, node);
}

/**
 * Counts a verdict against the node of a dispute or game (`table` keyed by `idColumn`): a lost or won dispute in its
 * counters. A game is a dispute the chain decides alone, so it counts like a committee's verdict; other outcomes count
 * nothing.
 */
function countVerdict(
  run: RunStatement,
  table: "disputes" | "games",
  idColumn: "dispute_id" | "game_id",
  id: string,
  verdict: "lost" | "won" | undefined,
): void {
  if (verdict === undefined) return;
  const column = verdict === "lost" ? "disputes_lost" : "disputes_won";
  const node = `(SELECT node FROM ${table} WHERE ${idColumn} = ?)`;
  run(
    `INSERT INTO node_counters (node) SELECT node FROM ${table} WHERE ${idColumn} = ? ON CONFLICT (node) DO NOTHING`,
    id,
  );
  run(`UPDATE node_counters SET ${column} = ${column} + 1 WHERE node = ${node}`, id);
}

function addAmount(run: RunStatement, table: string, column: string, keyColumn: string, key: string, amount: string) {
  // uint256 sums stay exact: SQLite integers are 64-bit, so the sum is done on decimal strings by the store's add().
  run(`UPDATE ${table} SET ${column} = add_amounts(${column}, ?) WHERE ${keyColumn} = ?`, amount, key);
}

/**
 * Applies one event to the projection tables (nodes, stake, models, batches, receipts, disputes, demands, requests,
 * slashes, payouts, per-node counters). Every write is idempotent on its own key or guarded by the caller, which
 * stores an event only once (its `(block, logIndex)` key) before projecting it.
 */
export function projectEvent(run: RunStatement, event: VerityEvent, timestamp: number): void {
  const a = event.args;
  const key = [event.blockNumber, event.logIndex] as const;
  switch (`${event.contract}.${event.name}`) {
    case "nodeRegistry.NodeRegistered":
      run(
        `INSERT INTO nodes (address, signer, role, endpoint, models, registered_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (address) DO UPDATE SET signer = excluded.signer, role = excluded.role,
         endpoint = excluded.endpoint, models = excluded.models, deregistered = 0`,
        arg.text(a, "node"),
        arg.text(a, "signer"),
        arg.number(a, "role"),
        arg.text(a, "endpoint"),
        JSON.stringify(a.models ?? []),
        timestamp,
      );
      run(COUNTER, arg.text(a, "node"));
      return;
    case "nodeRegistry.NodeDeregistered":
      run("UPDATE nodes SET deregistered = 1 WHERE address = ?", arg.text(a, "node"));
      return;
    case "nodeRegistry.SignerRotated":
      run("UPDATE nodes SET signer = ? WHERE address = ?", arg.text(a, "newSigner"), arg.text(a, "node"));
      return;
    case "nodeRegistry.EndpointUpdated":
      run("UPDATE nodes SET endpoint = ? WHERE address = ?", arg.text(a, "endpoint"), arg.text(a, "node"));
      return;
    case "nodeRegistry.ModelsUpdated":
      run("UPDATE nodes SET models = ? WHERE address = ?", JSON.stringify(a.models ?? []), arg.text(a, "node"));
      return;
    case "nodeRegistry.NodeJailed":
      run("UPDATE nodes SET jailed = 1, jail_count = jail_count + 1 WHERE address = ?", arg.text(a, "node"));
      return;
    case "nodeRegistry.NodeUnjailed":
      run("UPDATE nodes SET jailed = 0 WHERE address = ?", arg.text(a, "node"));
      return;

    case "staking.Staked":
    case "staking.UnstakeRequested":
      run(
        "INSERT OR IGNORE INTO stake_changes VALUES (?, ?, ?, ?, ?, ?, ?)",
        ...key,
        timestamp,
        arg.text(a, "node"),
        event.name === "Staked" ? "stake" : "unstake",
        arg.text(a, "amount"),
        arg.text(a, "activeStake"),
      );
      run("UPDATE nodes SET active_stake = ? WHERE address = ?", arg.text(a, "activeStake"), arg.text(a, "node"));
      return;
    case "staking.Withdrawn":
      run(
        "INSERT OR IGNORE INTO stake_changes VALUES (?, ?, ?, ?, 'withdraw', ?, NULL)",
        ...key,
        timestamp,
        arg.text(a, "node"),
        arg.text(a, "amount"),
      );
      return;
    case "staking.Slashed":
      run(
        "INSERT OR IGNORE INTO slashes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ...key,
        timestamp,
        event.txHash.toLowerCase(),
        arg.text(a, "node"),
        arg.text(a, "requested"),
        arg.text(a, "slashed"),
        arg.text(a, "toTreasury"),
      );
      // The active stake after a slash is read from the chain by the sync step (the event does not carry it).
      run(
        "INSERT OR IGNORE INTO stake_changes VALUES (?, ?, ?, ?, 'slash', ?, NULL)",
        ...key,
        timestamp,
        arg.text(a, "node"),
        arg.text(a, "slashed"),
      );
      addAmount(run, "nodes", "slashed_total", "address", arg.text(a, "node"), arg.text(a, "slashed"));
      return;
    case "staking.SlashPaid":
      payout(run, event, timestamp, "recipient", null, null);
      return;

    case "modelRegistry.ModelRegistered":
      run(
        `INSERT OR IGNORE INTO models (model_id, owner, runtime_id, mode, tolerance, weights_root, previous, metadata_uri,
         registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        arg.text(a, "id"),
        arg.text(a, "owner"),
        arg.text(a, "runtimeId"),
        arg.number(a, "mode"),
        arg.text(a, "tolerance"),
        arg.text(a, "weightsRoot"),
        arg.text(a, "previous"),
        arg.text(a, "metadataURI"),
        timestamp,
      );
      return;
    case "modelRegistry.ModelDeprecated":
      run("UPDATE models SET deprecated = 1 WHERE model_id = ?", arg.text(a, "id"));
      return;
    case "modelRegistry.ModelOwnershipTransferred":
      run("UPDATE models SET owner = ? WHERE model_id = ?", arg.text(a, "to"), arg.text(a, "id"));
      return;

    case "attestationRegistry.BatchSubmitted":
      run(
        `INSERT OR IGNORE INTO batches (batch_id, node, sequence, root, count, data_hash, window_end, block_number,
         tx_hash, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        arg.text(a, "id"),
        arg.text(a, "node"),
        arg.text(a, "sequence"),
        arg.text(a, "root"),
        arg.number(a, "count"),
        arg.text(a, "dataHash"),
        arg.number(a, "windowEnd"),
        event.blockNumber,
        event.txHash.toLowerCase(),
        timestamp,
      );
      bump(run, arg.text(a, "node"), "receipts", arg.number(a, "count"));
      countHour(run, timestamp, arg.number(a, "count"));
      return;
    case "attestationRegistry.ReceiptSubmitted":
      run(
        `INSERT INTO receipts (receipt_hash, request_id, model_id, node, batch_id, leaf_index, input_hash, output_hash,
         trace_root, issued_at, attested_at, window_end) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (receipt_hash) DO UPDATE SET request_id = excluded.request_id, model_id = excluded.model_id,
         input_hash = excluded.input_hash, output_hash = excluded.output_hash, trace_root = excluded.trace_root,
         issued_at = excluded.issued_at, attested_at = excluded.attested_at, window_end = excluded.window_end`,
        arg.text(a, "receiptHash"),
        arg.text(a, "requestId"),
        arg.text(a, "modelId"),
        arg.text(a, "node"),
        arg.text(a, "inputHash"),
        arg.text(a, "outputHash"),
        arg.text(a, "traceRoot"),
        arg.number(a, "issuedAt"),
        timestamp,
        arg.number(a, "windowEnd"),
      );
      bump(run, arg.text(a, "node"), "receipts");
      countHour(run, timestamp, 1);
      return;
    case "attestationRegistry.ReceiptDisputed":
      knownReceipt(run, arg.text(a, "receiptHash"), arg.text(a, "node"), arg.text(a, "batchId"), timestamp);
      run(
        "UPDATE receipts SET dispute = 'open', window_end = ? WHERE receipt_hash = ?",
        arg.number(a, "windowEnd"),
        arg.text(a, "receiptHash"),
      );
      return;
    case "attestationRegistry.ReceiptDisputeResolved":
      run(
        "UPDATE receipts SET dispute = ? WHERE receipt_hash = ?",
        a.wrong === true ? "rejected" : "upheld",
        arg.text(a, "receiptHash"),
      );
      return;
    case "attestationRegistry.ReceiptDisputeExpired":
      run(
        "UPDATE receipts SET dispute = 'expired', window_end = ? WHERE receipt_hash = ?",
        arg.number(a, "windowEnd"),
        arg.text(a, "receiptHash"),
      );
      return;

    case "disputeManager.DisputeOpened":
      run(
        `INSERT OR IGNORE INTO disputes (dispute_id, receipt_hash, node, batch_id, challenger, bond, amount_at_risk,
         opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        arg.text(a, "id"),
        arg.text(a, "receiptHash"),
        arg.text(a, "node"),
        arg.text(a, "batchId"),
        arg.text(a, "challenger"),
        arg.text(a, "bond"),
        arg.text(a, "amountAtRisk"),
        timestamp,
      );
      return;
    case "disputeManager.DisputeResolved": {
      const outcome = arg.number(a, "outcome");
      run(
        `UPDATE disputes SET outcome = ?, slashed = ?, challenger_reward = ?, voter_rewards = ?, to_treasury = ?,
         resolved_at = ? WHERE dispute_id = ?`,
        outcome,
        arg.text(a, "slashed"),
        arg.text(a, "challengerReward"),
        arg.text(a, "voterRewards"),
        arg.text(a, "toTreasury"),
        timestamp,
        arg.text(a, "id"),
      );
      const verdict =
        outcome === DisputeManagerOutcome.NodeWrong
          ? "lost"
          : outcome === DisputeManagerOutcome.NodeRight
            ? "won"
            : undefined;
      countVerdict(run, "disputes", "dispute_id", arg.text(a, "id"), verdict);
      return;
    }
    case "disputeManager.RewardCredited":
      payout(run, event, timestamp, "account", arg.text(a, "id"), null);
      return;
    case "disputeManager.CreditClaimed":
      payout(run, event, timestamp, "account", null, null);
      return;

    case "dataAvailabilityManager.DataDemanded":
      run(
        `INSERT OR IGNORE INTO demands (demand_id, batch_id, node, demander, bond, deadline, slash_amount, state,
         opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)`,
        arg.text(a, "id"),
        arg.text(a, "batchId"),
        arg.text(a, "node"),
        arg.text(a, "demander"),
        arg.text(a, "bond"),
        arg.number(a, "deadline"),
        arg.text(a, "slashAmount"),
        timestamp,
      );
      return;
    case "dataAvailabilityManager.DemandAnswered": {
      run(
        "UPDATE demands SET state = 'answered', receipt_hash = ? WHERE demand_id = ?",
        arg.text(a, "receiptHash"),
        arg.text(a, "id"),
      );
      const receipt = a.receipt as Record<string, EventValue>;
      knownReceipt(run, arg.text(a, "receiptHash"), arg.text(a, "node"), arg.text(a, "batchId"), timestamp);
      run(
        `UPDATE receipts SET request_id = ?, model_id = ?, input_hash = ?, output_hash = ?, trace_root = ?,
         issued_at = ? WHERE receipt_hash = ?`,
        arg.text(receipt, "requestId"),
        arg.text(receipt, "modelId"),
        arg.text(receipt, "inputHash"),
        arg.text(receipt, "outputHash"),
        arg.text(receipt, "traceRoot"),
        arg.number(receipt, "issuedAt"),
        arg.text(a, "receiptHash"),
      );
      return;
    }
    case "dataAvailabilityManager.DemandSlashed":
      run(
        "UPDATE demands SET state = 'slashed', slashed = ? WHERE demand_id = ?",
        arg.text(a, "slashed"),
        arg.text(a, "id"),
      );
      bump(run, arg.text(a, "node"), "da_failures");
      return;
    case "dataAvailabilityManager.Credited":
    case "dataAvailabilityManager.CreditClaimed":
      payout(run, event, timestamp, "account", null, null);
      return;

    case "inferenceRouter.RequestCreated":
      run(
        `INSERT OR IGNORE INTO requests (request_id, consumer, model_id, input_hash, input_uri, redundancy, fee,
         deadline, created_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
        arg.text(a, "id"),
        arg.text(a, "consumer"),
        arg.text(a, "modelId"),
        arg.text(a, "inputHash"),
        arg.text(a, "inputURI"),
        arg.number(a, "redundancy"),
        arg.text(a, "fee"),
        arg.number(a, "deadline"),
        timestamp,
      );
      return;
    case "inferenceRouter.RequestFulfilled":
      knownReceipt(run, arg.text(a, "receiptHash"), arg.text(a, "node"), arg.text(a, "batchId"), timestamp);
      run(
        "UPDATE receipts SET request_id = ?, output_hash = ? WHERE receipt_hash = ?",
        arg.text(a, "id"),
        arg.text(a, "outputHash"),
        arg.text(a, "receiptHash"),
      );
      run("UPDATE requests SET state = 'fulfilled' WHERE request_id = ? AND state = 'pending'", arg.text(a, "id"));
      return;
    case "inferenceRouter.NodePenalized":
      bump(run, arg.text(a, "node"), "missed_deadlines");
      return;
    case "inferenceRouter.RequestDeadlineExtended":
      run("UPDATE requests SET deadline = ? WHERE request_id = ?", arg.number(a, "deadline"), arg.text(a, "id"));
      return;
    case "inferenceRouter.RequestReassigned":
      run("UPDATE requests SET deadline = ? WHERE request_id = ?", arg.number(a, "deadline"), arg.text(a, "id"));
      return;
    case "inferenceRouter.RequestClosed":
      run("UPDATE requests SET state = 'closed' WHERE request_id = ?", arg.text(a, "id"));
      return;
    case "inferenceRouter.RequestSettled":
      run(
        `UPDATE requests SET state = 'settled', output_hash = ?, paid_to_nodes = ?, to_treasury = ?, refunded = ?
         WHERE request_id = ?`,
        arg.text(a, "outputHash"),
        arg.text(a, "paidToNodes"),
        arg.text(a, "toTreasury"),
        arg.text(a, "refunded"),
        arg.text(a, "id"),
      );
      return;
    case "inferenceRouter.RequestRefunded":
      run(
        "UPDATE requests SET state = 'refunded', refunded = ? WHERE request_id = ?",
        arg.text(a, "amount"),
        arg.text(a, "id"),
      );
      return;
    case "inferenceRouter.FeePaid":
    case "inferenceRouter.InputClaimCompensated":
      payout(run, event, timestamp, "node", null, arg.text(a, "id"));
      return;
    case "inferenceRouter.Credited":
    case "inferenceRouter.CreditClaimed":
      payout(run, event, timestamp, "account", null, null);
      return;

    case "fraudGame.GameOpened":
      run(
        `INSERT OR IGNORE INTO games (game_id, receipt_hash, node, batch_id, challenger, beneficiary, bond,
         amount_at_risk, opened_at, opened_block, deadline, last_move) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        arg.text(a, "id"),
        arg.text(a, "receiptHash"),
        arg.text(a, "node"),
        arg.text(a, "batchId"),
        arg.text(a, "challenger"),
        arg.text(a, "beneficiary"),
        arg.text(a, "bond"),
        arg.text(a, "amountAtRisk"),
        timestamp,
        event.blockNumber,
        arg.number(a, "deadline"),
        event.name,
      );
      knownReceipt(run, arg.text(a, "receiptHash"), arg.text(a, "node"), arg.text(a, "batchId"), timestamp);
      return;
    case "fraudGame.TensorsRevealed":
    case "fraudGame.TensorPicked":
    case "fraudGame.NodesRevealed":
    case "fraudGame.NodePicked":
    case "fraudGame.ChunkRevealed":
    case "fraudGame.ElementPicked":
    case "fraudGame.AccumulatorsRevealed":
    case "fraudGame.AccumulatorPicked":
      run(
        "UPDATE games SET moves = moves + 1, last_move = ?, deadline = ? WHERE game_id = ?",
        event.name,
        arg.number(a, "deadline"),
        arg.text(a, "id"),
      );
      return;
    case "fraudGame.GameResolved": {
      const outcome = arg.number(a, "outcome");
      run(
        `UPDATE games SET last_move = ?, outcome = ?, reason = ?, slashed = ?, challenger_reward = ?, expected = ?,
         computed = ?, resolved_at = ?, resolved_block = ? WHERE game_id = ?`,
        event.name,
        outcome,
        arg.number(a, "reason"),
        arg.text(a, "slashed"),
        arg.text(a, "challengerReward"),
        arg.text(a, "expected"),
        arg.text(a, "computed"),
        timestamp,
        event.blockNumber,
        arg.text(a, "id"),
      );
      const verdict =
        outcome === FraudGameOutcome.NodeWrong ? "lost" : outcome === FraudGameOutcome.NodeRight ? "won" : undefined;
      countVerdict(run, "games", "game_id", arg.text(a, "id"), verdict);
      return;
    }
    case "fraudGame.RewardCredited":
      payout(run, event, timestamp, "account", null, null, arg.text(a, "id"));
      return;
    case "fraudGame.CreditClaimed":
      payout(run, event, timestamp, "account", null, null);
      return;

    case "equivocationSlasher.EquivocationProven":
      bump(run, arg.text(a, "node"), "equivocations");
      return;
    default:
      return;
  }
}

/** Adds attested receipts to the hour (chain time) they were attested in: the overview's receipts-over-time plot. */
function countHour(run: RunStatement, timestamp: number, receipts: number) {
  run(
    `INSERT INTO receipt_hours (hour, receipts) VALUES (?, ?)
     ON CONFLICT (hour) DO UPDATE SET receipts = receipts + excluded.receipts`,
    Math.floor(timestamp / 3600),
    receipts,
  );
}

/** Makes sure a receipt row exists for a receipt first seen in a dispute, a router fulfilment or a DA answer. */
function knownReceipt(run: RunStatement, receiptHash: string, node: string, batchId: string, timestamp: number) {
  run(
    `INSERT INTO receipts (receipt_hash, node, batch_id, attested_at, window_end)
     SELECT ?, ?, ?, COALESCE(b.timestamp, ?), COALESCE(b.window_end, 0) FROM (SELECT 1)
     LEFT JOIN batches b ON b.batch_id = ?
     WHERE true ON CONFLICT (receipt_hash) DO UPDATE SET batch_id = COALESCE(receipts.batch_id, excluded.batch_id)`,
    receiptHash,
    node,
    batchId === receiptHash || /^0x0*$/.test(batchId) ? null : batchId,
    timestamp,
    batchId,
  );
}

function payout(
  run: RunStatement,
  event: VerityEvent,
  timestamp: number,
  accountKey: string,
  disputeId: string | null,
  requestId: string | null,
  gameId: string | null = null,
) {
  run(
    `INSERT OR IGNORE INTO payouts (block_number, log_index, timestamp, contract, kind, account, amount, dispute_id,
     request_id, game_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    event.blockNumber,
    event.logIndex,
    timestamp,
    event.contract,
    event.name,
    arg.text(event.args, accountKey),
    arg.text(event.args, "amount"),
    disputeId,
    requestId,
    gameId,
  );
}
