/** An inclusive range of blocks. */
export interface BlockRange {
  fromBlock: bigint;
  toBlock: bigint;
}

export interface ScanLogsParameters<chunk> {
  /** The first block to read: the stored cursor, or where the deployment starts on a first run. */
  fromBlock: bigint;
  /** The last block to read (the head, or the head less the confirmations). Nothing is read when before `fromBlock`. */
  toBlock: bigint;
  /** Most blocks per query (nodes cap `eth_getLogs` ranges). */
  maxBlockRange: bigint;
  /** Reads the logs of one range. */
  getLogs(range: BlockRange): Promise<chunk>;
  /**
   * Stores one range's logs together with `nextBlock`, the cursor to resume from, in one step: a crash re-reads at
   * most one range, so what is stored must be idempotent.
   */
  onLogs(logs: chunk, range: BlockRange & { nextBlock: bigint }): void | Promise<void>;
}

export interface ScanLogsReturnType {
  /** Where the next scan starts: `toBlock + 1` when anything was read, else the `fromBlock` given. */
  nextBlock: bigint;
}

/**
 * The chunked, resumable log scanner: reads `[fromBlock, toBlock]` in ranges of at most `maxBlockRange` blocks, in
 * order, handing each range's logs and the next cursor to `onLogs` before reading the next range.
 */
export async function scanLogs<chunk>(parameters: ScanLogsParameters<chunk>): Promise<ScanLogsReturnType> {
  const { toBlock, maxBlockRange } = parameters;
  if (maxBlockRange < 1n) throw new RangeError(`maxBlockRange must be at least 1, got ${maxBlockRange}`);
  let from = parameters.fromBlock;
  while (from <= toBlock) {
    const to = from + maxBlockRange - 1n < toBlock ? from + maxBlockRange - 1n : toBlock;
    const logs = await parameters.getLogs({ fromBlock: from, toBlock: to });
    await parameters.onLogs(logs, { fromBlock: from, toBlock: to, nextBlock: to + 1n });
    from = to + 1n;
  }
  return { nextBlock: from };
}
