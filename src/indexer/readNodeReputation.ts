import { getReputation, type Reputation } from "./getReputation";
import type { IndexStore } from "./IndexStore";

/** A node's reputation from an explorer index (undefined when the index has never seen the node). */
export function readNodeReputation(store: IndexStore, node: string): Reputation | undefined {
  const row = store
    .prepare(
      `SELECT n.jailed, n.jail_count, c.receipts, c.disputes_lost, c.da_failures, c.missed_deadlines, c.equivocations
       FROM nodes n LEFT JOIN node_counters c ON c.node = n.address WHERE n.address = ?`,
    )
    .get(node.toLowerCase()) as Record<string, number | null> | undefined;
  if (!row) return undefined;
  return getReputation({
    attestedReceipts: row.receipts ?? 0,
    disputesLost: row.disputes_lost ?? 0,
    dataAvailabilityFailures: row.da_failures ?? 0,
    missedDeadlines: row.missed_deadlines ?? 0,
    equivocations: row.equivocations ?? 0,
    timesJailed: row.jail_count ?? 0,
    jailed: Boolean(row.jailed),
  });
}
