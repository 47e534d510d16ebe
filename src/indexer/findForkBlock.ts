import { getBlockHeader } from "../chain/actions/getBlockHeader";
import type { IndexerContext } from "./context";

/**
 * Whether the chain still holds the blocks the index was built from. The indexer keeps the hash of every block it
 * read (each block with an event and the last block of each range); when the newest of them is no longer the chain's
 * block at that height, a reorganization deeper than the confirmations happened. The fork block is then the newest
 * stored block the chain still holds (checked newest first), or the block before the deployment's start when none
 * is. Returns `null` when the index agrees with the chain.
 */
export async function findForkBlock(context: IndexerContext): Promise<bigint | null> {
  const { publicClient } = context.clients;
  const stored = context.store.prepare("SELECT block_number, hash FROM blocks ORDER BY block_number DESC");
  const newest = stored.get() as { block_number: number; hash: string } | undefined;
  if (!newest || (await holds(newest))) return null;
  for (const block of stored.all() as { block_number: number; hash: string }[]) {
    if (await holds(block)) return BigInt(block.block_number);
  }
  return context.startBlock - 1n;

  async function holds(block: { block_number: number; hash: string }): Promise<boolean> {
    const header = await getBlockHeader(publicClient, { blockNumber: BigInt(block.block_number) });
    return header !== null && header.hash.toLowerCase() === block.hash;
  }
}
