import type { Address, Log } from "viem";
import { getActiveStake } from "../chain/actions/getActiveStake";
import { scanLogs } from "../chain/scanLogs";
import type { IndexerContext } from "./context";
import { decodeVerityLogs } from "./decodeVerityLogs";

/** What one sync step did. */
export interface SyncReport {
  /** Events stored by this step (0 when nothing new was confirmed). */
  events: number;
  /** The first block not yet read. */
  nextBlock: bigint;
  /** The newest block that is `confirmations` deep. */
  safeHead: bigint;
}

const TIMESTAMP_CONCURRENCY = 16;

/**
 * Reads every Verity event from the stored cursor up to the head less the confirmations (one `eth_getLogs` over all
 * indexed contracts per range of at most `maxBlockRange` blocks) and stores each range with its cursor in one
 * transaction. Blocks shallower than the confirmations are never read, so a reorg within that depth never reaches
 * the index; a crash re-reads at most one range, which the store skips event by event.
 */
export async function syncIndex(context: IndexerContext): Promise<SyncReport> {
  const { publicClient } = context.clients;
  const head = await publicClient.getBlockNumber({ cacheTime: 0 });
  const safeHead = head - context.confirmations;
  const fromBlock = context.store.cursor() ?? context.startBlock;
  let events = 0;
  const addresses = [...context.addresses.keys()] as Address[];
  const { nextBlock } = await scanLogs<Log[]>({
    fromBlock,
    toBlock: safeHead,
    maxBlockRange: context.maxBlockRange,
    getLogs: (range) => publicClient.getLogs({ address: addresses, ...range }),
    onLogs: async (logs, range) => {
      const decoded = decodeVerityLogs(logs, context.addresses);
      const blocks = [...new Set(decoded.map((e) => e.blockNumber)), Number(range.toBlock)];
      const timestamps = await readTimestamps(context, blocks);
      const slashed = new Set(decoded.filter((e) => e.name === "Slashed").map((e) => String(e.args.node)));
      const activeStakes = new Map<string, bigint>();
      for (const node of slashed) {
        activeStakes.set(
          node,
          await getActiveStake(publicClient, {
            address: context.stakingAddress,
            node: node as Address,
            blockNumber: range.toBlock,
          }),
        );
      }
      events += context.store.applyRange({
        events: decoded,
        timestamps,
        activeStakes,
        nextBlock: range.nextBlock,
        head: { number: range.toBlock, timestamp: timestamps.get(Number(range.toBlock))! },
      });
    },
  });
  return { events, nextBlock, safeHead };
}

async function readTimestamps(context: IndexerContext, blocks: readonly number[]): Promise<Map<number, number>> {
  const timestamps = new Map<number, number>();
  for (let i = 0; i < blocks.length; i += TIMESTAMP_CONCURRENCY) {
    const chunk = blocks.slice(i, i + TIMESTAMP_CONCURRENCY);
    const read = await Promise.all(
      chunk.map((number) => context.clients.publicClient.getBlock({ blockNumber: BigInt(number) })),
    );
    read.forEach((block, j) => timestamps.set(chunk[j]!, Number(block.timestamp)));
  }
  return timestamps;
}
