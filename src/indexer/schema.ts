import type { Migration } from "../service/openDatabase";
import { addBatchTrees } from "./batchTree";

/**
 * The indexer's SQLite schema (version 1; version 2 below). Addresses and hashes are lowercase `0x` hex; token amounts (uint256) are
 * decimal strings; times are chain timestamps in seconds. `events` keeps every decoded Verity event (the source of
 * every timeline); the other tables are projections of it, rebuilt by the same transaction that stores the events.
 */
const INDEX_SCHEMA_V1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE events (
  block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, tx_hash TEXT NOT NULL, timestamp INTEGER NOT NULL,
  contract TEXT NOT NULL, name TEXT NOT NULL, args TEXT NOT NULL,
  node TEXT, dispute_id TEXT, request_id TEXT, receipt_hash TEXT, batch_id TEXT, model_id TEXT,
  PRIMARY KEY (block_number, log_index)
) WITHOUT ROWID;
CREATE INDEX events_by_node ON events (node, block_number) WHERE node IS NOT NULL;
CREATE INDEX events_by_dispute ON events (dispute_id, block_number) WHERE dispute_id IS NOT NULL;
CREATE INDEX events_by_request ON events (request_id, block_number) WHERE request_id IS NOT NULL;
CREATE INDEX events_by_receipt ON events (receipt_hash, block_number) WHERE receipt_hash IS NOT NULL;
CREATE INDEX events_by_tx ON events (tx_hash);
CREATE TABLE nodes (
  address TEXT PRIMARY KEY, signer TEXT NOT NULL, role INTEGER NOT NULL, endpoint TEXT NOT NULL, models TEXT NOT NULL,
  registered_at INTEGER NOT NULL, deregistered INTEGER NOT NULL DEFAULT 0, jailed INTEGER NOT NULL DEFAULT 0,
  jail_count INTEGER NOT NULL DEFAULT 0, active_stake TEXT NOT NULL DEFAULT '0', slashed_total TEXT NOT NULL DEFAULT '0'
);
CREATE TABLE stake_changes (
  block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, timestamp INTEGER NOT NULL, node TEXT NOT NULL,
  kind TEXT NOT NULL, amount TEXT NOT NULL, active_stake TEXT,
  PRIMARY KEY (block_number, log_index)
) WITHOUT ROWID;
CREATE INDEX stake_changes_by_node ON stake_changes (node, block_number);
CREATE TABLE models (
  model_id TEXT PRIMARY KEY, owner TEXT NOT NULL, runtime_id TEXT NOT NULL, mode INTEGER NOT NULL,
  tolerance TEXT NOT NULL, weights_root TEXT NOT NULL, previous TEXT NOT NULL, metadata_uri TEXT NOT NULL,
  deprecated INTEGER NOT NULL DEFAULT 0, registered_at INTEGER NOT NULL
);
CREATE TABLE batches (
  batch_id TEXT PRIMARY KEY, node TEXT NOT NULL, sequence TEXT NOT NULL, root TEXT NOT NULL, count INTEGER NOT NULL,
  data_hash TEXT NOT NULL, window_end INTEGER NOT NULL, block_number INTEGER NOT NULL, tx_hash TEXT NOT NULL,
  timestamp INTEGER NOT NULL, contents TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0, last_error TEXT
);
CREATE INDEX batches_by_contents ON batches (contents, next_attempt_at);
CREATE INDEX batches_by_node ON batches (node, block_number);
CREATE TABLE receipts (
  receipt_hash TEXT PRIMARY KEY, request_id TEXT, model_id TEXT, node TEXT NOT NULL, batch_id TEXT,
  leaf_index INTEGER, leaf TEXT, input_hash TEXT, output_hash TEXT, trace_root TEXT, issued_at INTEGER,
  attested_at INTEGER NOT NULL, window_end INTEGER NOT NULL, dispute TEXT
);
CREATE INDEX receipts_by_request ON receipts (request_id);
CREATE INDEX receipts_by_node ON receipts (node, attested_at);
CREATE INDEX receipts_by_model ON receipts (model_id, attested_at);
CREATE INDEX receipts_by_batch ON receipts (batch_id, leaf_index);
CREATE INDEX receipts_by_time ON receipts (attested_at);
CREATE TABLE disputes (
  dispute_id TEXT PRIMARY KEY, receipt_hash TEXT NOT NULL, node TEXT NOT NULL, batch_id TEXT NOT NULL,
  challenger TEXT NOT NULL, bond TEXT NOT NULL, amount_at_risk TEXT NOT NULL, opened_at INTEGER NOT NULL,
  outcome INTEGER NOT NULL DEFAULT 0, slashed TEXT, challenger_reward TEXT, voter_rewards TEXT, to_treasury TEXT,
  resolved_at INTEGER
);
CREATE INDEX disputes_by_node ON disputes (node);
CREATE INDEX disputes_by_receipt ON disputes (receipt_hash);
CREATE TABLE demands (
  demand_id TEXT PRIMARY KEY, batch_id TEXT NOT NULL, node TEXT NOT NULL, demander TEXT NOT NULL, bond TEXT NOT NULL,
  deadline INTEGER NOT NULL, slash_amount TEXT NOT NULL, state TEXT NOT NULL, receipt_hash TEXT, slashed TEXT,
  opened_at INTEGER NOT NULL
);
CREATE INDEX demands_by_node ON demands (node);
CREATE TABLE requests (
  request_id TEXT PRIMARY KEY, consumer TEXT NOT NULL, model_id TEXT NOT NULL, input_hash TEXT NOT NULL,
  input_uri TEXT NOT NULL, redundancy INTEGER NOT NULL, fee TEXT NOT NULL, deadline INTEGER NOT NULL,
  created_at INTEGER NOT NULL, state TEXT NOT NULL, output_hash TEXT, paid_to_nodes TEXT, to_treasury TEXT,
  refunded TEXT
);
CREATE TABLE slashes (
  block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, timestamp INTEGER NOT NULL, tx_hash TEXT NOT NULL,
  node TEXT NOT NULL, requested TEXT NOT NULL, slashed TEXT NOT NULL, to_treasury TEXT NOT NULL,
  PRIMARY KEY (block_number, log_index)
) WITHOUT ROWID;
CREATE INDEX slashes_by_node ON slashes (node);
CREATE TABLE payouts (
  block_number INTEGER NOT NULL, log_index INTEGER NOT NULL, timestamp INTEGER NOT NULL, contract TEXT NOT NULL,
  kind TEXT NOT NULL, account TEXT NOT NULL, amount TEXT NOT NULL, dispute_id TEXT, request_id TEXT,
  PRIMARY KEY (block_number, log_index)
) WITHOUT ROWID;
CREATE INDEX payouts_by_dispute ON payouts (dispute_id) WHERE dispute_id IS NOT NULL;
CREATE INDEX payouts_by_request ON payouts (request_id) WHERE request_id IS NOT NULL;
CREATE TABLE receipt_hours (hour INTEGER PRIMARY KEY, receipts INTEGER NOT NULL);
CREATE TABLE node_counters (
  node TEXT PRIMARY KEY, receipts INTEGER NOT NULL DEFAULT 0, disputes_lost INTEGER NOT NULL DEFAULT 0,
  disputes_won INTEGER NOT NULL DEFAULT 0, da_failures INTEGER NOT NULL DEFAULT 0,
  missed_deadlines INTEGER NOT NULL DEFAULT 0, equivocations INTEGER NOT NULL DEFAULT 0
);
`;

/**
 * Version 2: the fraud game (`games`, its events keyed by `game_id`, its payouts), the transactions that moved a game
 * (sender, function, gas) and the hash of every block the indexer read a timestamp of (`blocks`: how a reorganization
 * deeper than the confirmations is noticed and where the index rolls back to).
 */
const INDEX_SCHEMA_V2 = `
ALTER TABLE events ADD COLUMN game_id TEXT;
CREATE INDEX events_by_game ON events (game_id, block_number) WHERE game_id IS NOT NULL;
ALTER TABLE payouts ADD COLUMN game_id TEXT;
CREATE INDEX payouts_by_game ON payouts (game_id) WHERE game_id IS NOT NULL;
CREATE TABLE games (
  game_id TEXT PRIMARY KEY, receipt_hash TEXT NOT NULL, node TEXT NOT NULL, batch_id TEXT NOT NULL,
  challenger TEXT NOT NULL, beneficiary TEXT NOT NULL, bond TEXT NOT NULL, amount_at_risk TEXT NOT NULL,
  opened_at INTEGER NOT NULL, opened_block INTEGER NOT NULL, deadline INTEGER NOT NULL, last_move TEXT NOT NULL,
  moves INTEGER NOT NULL DEFAULT 0, outcome INTEGER NOT NULL DEFAULT 0, reason INTEGER, slashed TEXT,
  challenger_reward TEXT, expected TEXT, computed TEXT, resolved_at INTEGER, resolved_block INTEGER
);
CREATE INDEX games_by_receipt ON games (receipt_hash);
CREATE INDEX games_by_node ON games (node);
CREATE TABLE transactions (
  tx_hash TEXT PRIMARY KEY, sender TEXT NOT NULL, function_name TEXT, gas_used TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE blocks (block_number INTEGER PRIMARY KEY, hash TEXT NOT NULL, timestamp INTEGER NOT NULL);
`;

/** Every step from an empty index to the current schema (never edit a shipped step; add one). */
export const INDEX_MIGRATIONS: readonly Migration[] = [
  { version: 1, description: "events, projections, aggregates", up: INDEX_SCHEMA_V1 },
  { version: 2, description: "fraud games, their transactions, block hashes", up: INDEX_SCHEMA_V2 },
  { version: 3, description: "each indexed batch's Merkle tree (receipt proofs without rehashing)", up: addBatchTrees },
];
