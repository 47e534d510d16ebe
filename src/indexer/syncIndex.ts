import type { Address, Hex, Log } from "viem";
import { fraudGameAbi } from "../chain/abis.generated";
import { getActiveStake } from "../chain/actions/getActiveStake";
import { getBlockHeader } from "../chain/actions/getBlockHeader";
import { getTransactionFacts } from "../chain/actions/getTransactionFacts";
import { scanLogs } from "../chain/scanLogs";
import type { IndexerContext } from "./context";
import { decodeVerityLogs } from "./decodeVerityLogs";
import { findForkBlock } from "./findForkBlock";
import { rollBackIndex } from "./rollBackIndex";

/** What one sync step did. */
export interface SyncReport {
  /** Events stored by this step (0 when nothing new was confirmed). */
  events: number;
  /** The first block not yet read. */
  nextBlock: bigint;
  /** The newest block that is `confirmations` deep. */
  safeHead: bigint;
  /** Set when the chain no longer held indexed blocks: the index was rolled back to this block first. */
  rolledBackTo?: bigint;
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
  const fork = await findForkBlock(context);
  if (fork !== null) {
    const { removedEvents } = rollBackIndex(context.store, fork);
    context.logger.warn(
      { forkBlock: fork.toString(10), removedEvents },
      "the chain reorganized indexed blocks (deeper than the confirmations): index rolled back to the fork",
    );
  }
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
      const blocks = [...new Set([...decoded.map((e) => e.blockNumber), Number(range.toBlock)])];
      const headers = await readHeaders(context, blocks);
      for (const log of logs) {
        const header = log.blockNumber === null ? undefined : headers.get(Number(log.blockNumber));
        if (header && log.blockHash && header.hash !== log.blockHash.toLowerCase()) {
          throw new Error(`block ${log.blockNumber} changed while it was read (a reorganization): read again`);
        }
      }
      const timestamps = new Map([...headers].map(([number, header]) => [number, header.timestamp]));
      const blockHashes = new Map([...headers].map(([number, header]) => [number, header.hash]));
      const gameTransactions = [...new Set(decoded.filter((e) => e.contract === "fraudGame").map((e) => e.txHash))];
      const transactions = await Promise.all(
        gameTransactions.map((hash) => getTransactionFacts(publicClient, { hash, abi: fraudGameAbi })),
      );
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
        blockHashes,
        transactions,
        activeStakes,
        nextBlock: range.nextBlock,
        head: { number: range.toBlock, timestamp: timestamps.get(Number(range.toBlock))! },
      });
    },
  });
  return { events, nextBlock, safeHead, ...(fork !== null ? { rolledBackTo: fork } : {}) };
}

/** The hash and timestamp of each block, read 16 at a time. */
async function readHeaders(
  context: IndexerContext,
  blocks: readonly number[],
): Promise<Map<number, { hash: string; timestamp: number }>> {
  const headers = new Map<number, { hash: string; timestamp: number }>();
  for (let i = 0; i < blocks.length; i += TIMESTAMP_CONCURRENCY) {
    const chunk = blocks.slice(i, i + TIMESTAMP_CONCURRENCY);
    const read = await Promise.all(
      chunk.map((number) => getBlockHeader(context.clients.publicClient, { blockNumber: BigInt(number) })),
    );
    read.forEach((header, j) => {
      if (!header) throw new Error(`block ${chunk[j]} is gone (a reorganization): read again`);
      headers.set(chunk[j]!, { hash: (header.hash as Hex).toLowerCase(), timestamp: Number(header.timestamp) });
    });
  }
  return headers;
}
