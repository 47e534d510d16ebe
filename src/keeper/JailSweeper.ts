import type { Address, PublicClient } from "viem";
import type { Logger } from "pino";
import { getModelWeight } from "../chain/actions/getModelWeight";
import { getNode } from "../chain/actions/getNode";
import { getNodeJailedEvents } from "../chain/actions/getNodeJailedEvents";
import { syncWeight } from "../chain/actions/syncWeight";
import { scanLogs } from "../chain/scanLogs";
import { createRouterSend } from "./advanceRequest";
import type { KeeperMetrics } from "./metrics";
import type { TxSender } from "./TxSender";

export interface JailSweeperOptions {
  publicClient: PublicClient;
  sender: TxSender;
  nodeRegistry: Address;
  /** Where the deployment starts: the first scan after a start reads from here. */
  fromBlock: bigint;
  maxBlockRange: bigint;
  /** Blocks below the head the scan reads to. */
  confirmations: bigint;
  /** Least time between two scans for new jails. */
  recheckMs: number;
  metrics: KeeperMetrics;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * Clears the stale sortition weight of jailed nodes. A jail is O(1) on chain: the jailed node's weight stays in the
 * tree of every model it lists until anyone calls `syncWeight(node)`. Draws skip that weight, but each draw landing on
 * it spends one of the router's bounded attempts, so a model whose weight is mostly jailed and uncleared would leave
 * requests unassigned. The sweeper scans `NodeJailed` (from the deployment's start block after each start; the checks
 * are reads, so a rescan sends nothing for nodes already cleared) and sends `syncWeight` for every node still jailed
 * that holds stale weight in any of its models' trees.
 */
export class JailSweeper {
  private readonly send;
  private cursor: bigint;
  private nextScanAt = 0;
  /** Jailed nodes still to look at. */
  private readonly pending = new Set<Address>();

  constructor(private readonly o: JailSweeperOptions) {
    this.send = createRouterSend(o.sender, o.metrics, o.signal);
    this.cursor = o.fromBlock;
  }

  /** Scans for new jails when due and clears the stale weight of each jailed node found; true when it sent any. */
  async step(): Promise<boolean> {
    await this.scanIfDue();
    let sent = false;
    for (const node of [...this.pending]) {
      if (this.o.signal.aborted) break;
      if (await this.holdsStaleWeight(node)) {
        await this.send(syncWeight({ address: this.o.nodeRegistry, node }));
        this.o.logger.info({ node }, "cleared a jailed node's stale sortition weight");
        sent = true;
      }
      this.pending.delete(node);
    }
    return sent;
  }

  /** Whether `node` is still jailed, registered, and holds weight in any of its models' trees. */
  private async holdsStaleWeight(node: Address): Promise<boolean> {
    const { publicClient, nodeRegistry } = this.o;
    const info = await getNode(publicClient, { address: nodeRegistry, node });
    if (!info.jailed || !info.registered) return false;
    for (const model of info.models) {
      if ((await getModelWeight(publicClient, { address: nodeRegistry, node, model })) > 0n) return true;
    }
    return false;
  }

  private async scanIfDue(): Promise<void> {
    if (Date.now() < this.nextScanAt) return;
    const { publicClient, nodeRegistry } = this.o;
    const toBlock = (await publicClient.getBlockNumber({ cacheTime: 0 })) - this.o.confirmations;
    const { nextBlock } = await scanLogs({
      fromBlock: this.cursor,
      toBlock,
      maxBlockRange: this.o.maxBlockRange,
      getLogs: (range) => getNodeJailedEvents(publicClient, { address: nodeRegistry, ...range }),
      onLogs: (logs) => {
        for (const log of logs) this.pending.add(log.args.node);
      },
    });
    this.cursor = nextBlock;
    this.nextScanAt = Date.now() + this.o.recheckMs;
  }
}
