import type { Address, Hex } from "viem";
import { getBatchSubmittedEvents } from "../chain/actions/getBatchSubmittedEvents";
import { getNode } from "../chain/actions/getNode";
import { getReceiptStructHash, parseBatchFile } from "../protocol";
import { fetchBatchFile } from "../verifier/fetchContent";
import type { LocalSystem } from "./startLocalSystem";

/** What the chain says was attested, with each batch's content read back from its node. */
export interface AttestationTally {
  batches: number;
  receipts: number;
  gas: bigint;
  /** How many times each receipt struct hash appears across all attested batches. */
  occurrences: Map<Hex, number>;
}

/**
 * Reads every `BatchSubmitted` event since deployment, the gas of the transactions that carried them, and the
 * batch files the nodes serve for them, so the report can say which receipts reached the chain and how often.
 */
export async function collectAttestations(system: LocalSystem): Promise<AttestationTally> {
  const { publicClient } = system.clients(0);
  const logs = await getBatchSubmittedEvents(publicClient, {
    address: system.addresses.attestationRegistry,
    fromBlock: BigInt(system.deployment.startBlock),
  });
  const tally: AttestationTally = { batches: 0, receipts: 0, gas: 0n, occurrences: new Map() };
  const endpoints = new Map<Address, string>();
  for (const log of logs) {
    const { id, node, count, dataHash } = log.args;
    const receipt = await publicClient.getTransactionReceipt({ hash: log.transactionHash });
    tally.batches++;
    tally.receipts += Number(count);
    tally.gas += receipt.gasUsed;
    if (!endpoints.has(node)) {
      const info = await getNode(publicClient, { address: system.addresses.nodeRegistry, node });
      endpoints.set(node, info.endpoint);
    }
    const file = parseBatchFile(await fetchBatchFile({ endpoint: endpoints.get(node) }, id, dataHash));
    for (const entry of file.entries) {
      const hash = getReceiptStructHash(entry.receipt);
      tally.occurrences.set(hash, (tally.occurrences.get(hash) ?? 0) + 1);
    }
  }
  return tally;
}
