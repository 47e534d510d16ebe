import { BlockNotFoundError, type Client, type Hex } from "viem";
import { getBlock } from "viem/actions";

/** A block's place in the chain: its number, hash and timestamp. */
export interface BlockHeader {
  number: bigint;
  hash: Hex;
  timestamp: bigint;
}

/**
 * The header of block `blockNumber` as the chain holds it now, or `null` when the chain has no block at that height
 * (it was reorganized onto a shorter branch). Comparing its hash with one stored earlier tells whether the block was
 * reorganized away.
 */
export async function getBlockHeader(
  client: Client,
  { blockNumber }: { blockNumber: bigint },
): Promise<BlockHeader | null> {
  try {
    const block = await getBlock(client, { blockNumber });
    return { number: block.number, hash: block.hash, timestamp: block.timestamp };
  } catch (error) {
    if (error instanceof BlockNotFoundError) return null;
    throw error;
  }
}
