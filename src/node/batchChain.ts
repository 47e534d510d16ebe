import { isAddressEqual, type Address, type Client, type Hex } from "viem";
import { getBlockNumber } from "viem/actions";
import { getBatch } from "../chain/actions/getBatch";
import { getNextSequence } from "../chain/actions/getNextSequence";
import { getBatchId } from "../protocol";

/** What the node reads on chain to decide which of its signed batches can still be submitted. */
export interface BatchChainView {
  /** The node's next batch sequence at the latest block. */
  latestSequence(): Promise<bigint>;
  /** Whether the root is attested for this node at the latest block (not yet confirmed: for refusals only). */
  attestedAtLatest(root: Hex): Promise<boolean>;
  /**
   * The chain as of the confirmed block (head less the confirmations): the node's next sequence there, and which of
   * `roots` are attested for this node there.
   */
  confirmed(roots: readonly Hex[]): Promise<{ nextSequence: bigint; attested: Set<Hex> }>;
}

/** The {@link BatchChainView} of `operator` on the attestation registry, `confirmations` blocks behind the head. */
export function createBatchChainView(parameters: {
  publicClient: Client;
  attestationRegistry: Address;
  operator: Address;
  confirmations: bigint;
}): BatchChainView {
  const { publicClient, attestationRegistry, operator, confirmations } = parameters;
  const nextSequence = (blockNumber?: bigint) =>
    getNextSequence(publicClient, { address: attestationRegistry, node: operator, blockNumber });
  const attested = async (root: Hex, blockNumber?: bigint) => {
    const id = getBatchId({ node: operator, root });
    const batch = await getBatch(publicClient, { address: attestationRegistry, id, blockNumber });
    return isAddressEqual(batch.node, operator);
  };
  return {
    latestSequence: async () => BigInt(await nextSequence()),
    attestedAtLatest: (root) => attested(root),
    async confirmed(roots) {
      const head = await getBlockNumber(publicClient, { cacheTime: 0 });
      const block = head > confirmations ? head - confirmations : 0n;
      const next = BigInt(await nextSequence(block));
      const found = new Set<Hex>();
      for (const root of roots) if (await attested(root, block)) found.add(root);
      return { nextSequence: next, attested: found };
    },
  };
}
