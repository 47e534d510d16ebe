import type { EventValue, IndexedContract, VerityEvent } from "./decodeVerityLogs";
import type { IndexStore } from "./IndexStore";
import { projectEvent } from "./projectEvent";

/** Tables with one row per event (keyed by block and log index): cut above the fork, the rest kept as it is. */
const PER_EVENT_TABLES = ["events", "stake_changes", "slashes", "payouts", "blocks"] as const;
/** Tables that events update in place: emptied and rebuilt by replaying the events that remain. */
const PROJECTED_TABLES = [
  "nodes",
  "models",
  "disputes",
  "demands",
  "requests",
  "node_counters",
  "receipt_hours",
  "games",
];

/**
 * Rolls the index back to `forkBlock` (the newest block the chain still holds as indexed): forgets every event above
 * it and rebuilds every projection from the events that remain, in one transaction, with the cursor just after it.
 * What no event carries is kept where it still holds: a batch below the fork keeps its fetched receipts (and their
 * leaves), and each node's active stake comes back from its newest stake change (which kept the stake read from the
 * chain after a slash). A batch above the fork is gone with its receipts; the next sync re-reads the blocks above the
 * fork from the chain, as it now is.
 */
export function rollBackIndex(store: IndexStore, forkBlock: bigint): { removedEvents: number } {
  const fork = Number(forkBlock);
  const { db } = store;
  return db.transaction(() => {
    const removed = (db.prepare("SELECT COUNT(*) AS n FROM events WHERE block_number > ?").get(fork) as { n: number })
      .n;
    for (const table of PER_EVENT_TABLES) db.prepare(`DELETE FROM ${table} WHERE block_number > ?`).run(fork);
    db.prepare("DELETE FROM batches WHERE block_number > ?").run(fork);
    db.prepare("DELETE FROM batch_trees WHERE batch_id NOT IN (SELECT batch_id FROM batches)").run();
    db.prepare("DELETE FROM transactions WHERE tx_hash NOT IN (SELECT tx_hash FROM events)").run();
    for (const table of PROJECTED_TABLES) db.prepare(`DELETE FROM ${table}`).run();
    // Receipts learned from batch files stay (their batch is still on chain below the fork); what events said of them
    // (dispute state, extended windows) is said again by the replay.
    db.prepare(
      `DELETE FROM receipts WHERE leaf_index IS NULL OR batch_id IS NULL
       OR batch_id NOT IN (SELECT batch_id FROM batches WHERE contents = 'indexed')`,
    ).run();
    db.prepare(
      `UPDATE receipts SET dispute = NULL,
       window_end = (SELECT window_end FROM batches WHERE batches.batch_id = receipts.batch_id)`,
    ).run();
    const run = (sql: string, ...params: (string | number | null)[]) => {
      store.prepare(sql).run(...params);
    };
    const rows = db
      .prepare(
        "SELECT block_number, log_index, tx_hash, timestamp, contract, name, args FROM events ORDER BY block_number, log_index",
      )
      .all() as {
      block_number: number;
      log_index: number;
      tx_hash: `0x${string}`;
      timestamp: number;
      contract: IndexedContract;
      name: string;
      args: string;
    }[];
    for (const row of rows) {
      const event: VerityEvent = {
        blockNumber: row.block_number,
        logIndex: row.log_index,
        txHash: row.tx_hash,
        contract: row.contract,
        name: row.name,
        args: JSON.parse(row.args) as Record<string, EventValue>,
      };
      projectEvent(run, event, row.timestamp);
    }
    db.prepare(
      `UPDATE nodes SET active_stake = COALESCE((SELECT active_stake FROM stake_changes s WHERE s.node = nodes.address
       AND s.active_stake IS NOT NULL ORDER BY block_number DESC, log_index DESC LIMIT 1), active_stake)`,
    ).run();
    const head = db.prepare("SELECT timestamp FROM blocks WHERE block_number = ?").get(fork) as
      { timestamp: number } | undefined;
    store.setMeta("cursor", String(fork + 1));
    store.setMeta("head_block", String(fork));
    if (head) store.setMeta("head_timestamp", String(head.timestamp));
    return { removedEvents: removed };
  })();
}
