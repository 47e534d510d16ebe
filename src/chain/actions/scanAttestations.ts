import type { Address, Client } from "viem";
import { scanLogs, type BlockRange, type ScanLogsReturnType } from "../scanLogs";
import { getBatchSubmittedEvents, type GetBatchSubmittedEventsReturnType } from "./getBatchSubmittedEvents";
import { getReceiptSubmittedEvents, type GetReceiptSubmittedEventsReturnType } from "./getReceiptSubmittedEvents";

/** The attestations of one block range. */
export interface AttestationLogs {
  batches: GetBatchSubmittedEventsReturnType;
  singles: GetReceiptSubmittedEventsReturnType;
}

export type ScanAttestationsParameters = {
  /** The AttestationRegistry contract. */
  address: Address;
  /** The stored cursor, or the deployment's start block. */
  fromBlock: bigint;
  toBlock: bigint;
  maxBlockRange: bigint;
  /** Stores one range's attestations with the next cursor. */
  onLogs(logs: AttestationLogs, range: BlockRange & { nextBlock: bigint }): void | Promise<void>;
};

export type ScanAttestationsReturnType = ScanLogsReturnType;

/**
 * Reads attested batches and single receipts range by range from a cursor (`IAttestationRegistry.BatchSubmitted` and
 * `ReceiptSubmitted`).
 */
export function scanAttestations(
  client: Client,
  { address, fromBlock, toBlock, maxBlockRange, onLogs }: ScanAttestationsParameters,
): Promise<ScanAttestationsReturnType> {
  return scanLogs({
    fromBlock,
    toBlock,
    maxBlockRange,
    getLogs: async (range) => {
      const [batches, singles] = await Promise.all([
        getBatchSubmittedEvents(client, { address, ...range }),
        getReceiptSubmittedEvents(client, { address, ...range }),
      ]);
      return { batches, singles };
    },
    onLogs,
  });
}
