import type { Address, Client } from "viem";
import { scanLogs, type BlockRange, type ScanLogsReturnType } from "../scanLogs";
import { getNodeAssignedEvents, type GetNodeAssignedEventsReturnType } from "./getNodeAssignedEvents";

export type ScanNodeAssignmentsParameters = {
  /** The InferenceRouter contract. */
  address: Address;
  /** The node whose assignments to read. */
  node: Address;
  /** The stored cursor, or the deployment's start block. */
  fromBlock: bigint;
  toBlock: bigint;
  maxBlockRange: bigint;
  /** Stores one range's assignments with the next cursor. */
  onLogs(logs: GetNodeAssignedEventsReturnType, range: BlockRange & { nextBlock: bigint }): void | Promise<void>;
};

export type ScanNodeAssignmentsReturnType = ScanLogsReturnType;

/** Reads a node's `NodeAssigned` events range by range from a cursor (`IInferenceRouter.NodeAssigned`). */
export function scanNodeAssignments(
  client: Client,
  { address, node, fromBlock, toBlock, maxBlockRange, onLogs }: ScanNodeAssignmentsParameters,
): Promise<ScanNodeAssignmentsReturnType> {
  return scanLogs({
    fromBlock,
    toBlock,
    maxBlockRange,
    getLogs: (range) => getNodeAssignedEvents(client, { address, args: { node }, ...range }),
    onLogs,
  });
}
