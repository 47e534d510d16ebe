import type { Address, PublicClient } from "viem";
import type { Logger } from "pino";
import { getRequestCreatedEvents } from "../chain/actions/getRequestCreatedEvents";
import { getRequestState } from "../chain/actions/getRequestState";
import { RequestState, requestStateNames } from "../chain/enums.generated";
import { scanLogs } from "../chain/scanLogs";
import { advanceRequest, createRouterSend } from "./advanceRequest";
import type { KeeperStore } from "./KeeperStore";
import type { KeeperMetrics } from "./metrics";
import type { TxSender } from "./TxSender";

export interface RequestWatcherOptions {
  store: KeeperStore;
  publicClient: PublicClient;
  sender: TxSender;
  router: Address;
  /** Where the deployment starts: the first scan reads from here. */
  fromBlock: bigint;
  maxBlockRange: bigint;
  /** Blocks below the head the scan reads to, and a final state must be before the request is dropped. */
  confirmations: bigint;
  /** Least time between two looks at a request that is not due. */
  recheckMs: number;
  metrics: KeeperMetrics;
  logger: Logger;
  signal: AbortSignal;
}

/** Requests read per step (the rest wait for the next step). */
const LOOKS_PER_STEP = 100;

/**
 * Every request on the router, whoever created or relayed it: the watcher scans `RequestCreated` (resumable, from
 * the deployment's start block) and looks at each open request until it is settled or refunded, sending what it is
 * due for: `settle` when Settleable, `reassign` when Expired (nobody answered in time), `refund` when Unservable. All
 * three are open to anyone, so a request nobody answers never sits with its fee escrowed.
 */
export class RequestWatcher {
  private readonly send;

  constructor(private readonly o: RequestWatcherOptions) {
    this.send = createRouterSend(o.sender, o.metrics, o.signal);
  }

  /** When the next scan for new requests is due (ms). */
  private nextScanAt = 0;

  /**
   * Scans new requests (at most once per `recheckMs`, however often the keeper's loop passes) and advances the due
   * ones; true when a transaction was sent.
   */
  async step(): Promise<boolean> {
    const { store, publicClient, router } = this.o;
    let confirmedBlock = await this.scanIfDue();
    const before = this.o.metrics.counts.transactions;
    for (const id of store.dueRequests(Date.now(), LOOKS_PER_STEP)) {
      if (this.o.signal.aborted) break;
      const state = Number(await getRequestState(publicClient, { address: router, id }));
      if (state === RequestState.Settled || state === RequestState.Refunded) {
        confirmedBlock ??= await this.confirmedBlock();
        const confirmed = Number(
          await getRequestState(publicClient, { address: router, id, blockNumber: confirmedBlock }),
        );
        if (confirmed === state) {
          store.closeRequest(id, requestStateNames[state] ?? String(state));
          continue;
        }
      }
      const advance = { router, send: this.send, metrics: this.o.metrics, logger: this.o.logger };
      // After a transaction the request is looked at again at once; otherwise after `recheckMs`.
      if ((await advanceRequest(advance, id, state)) !== "sent") store.lookAgainAt(id, Date.now() + this.o.recheckMs);
    }
    return this.o.metrics.counts.transactions !== before;
  }

  /** The block `confirmations` below the head: what the scan reads to, and where a final state must hold. */
  private async confirmedBlock(): Promise<bigint> {
    return (await this.o.publicClient.getBlockNumber({ cacheTime: 0 })) - this.o.confirmations;
  }

  /** Scans `RequestCreated` up to the confirmed block when a scan is due; returns that block, or undefined. */
  private async scanIfDue(): Promise<bigint | undefined> {
    if (Date.now() < this.nextScanAt) return undefined;
    const { store, publicClient, router } = this.o;
    const toBlock = await this.confirmedBlock();
    await scanLogs({
      fromBlock: store.requestScanCursor() ?? this.o.fromBlock,
      toBlock,
      maxBlockRange: this.o.maxBlockRange,
      getLogs: (range) => getRequestCreatedEvents(publicClient, { address: router, ...range }),
      onLogs: (logs, { nextBlock }) =>
        store.watchRequests(
          logs.map((log) => log.args.id),
          nextBlock,
        ),
    });
    this.nextScanAt = Date.now() + this.o.recheckMs;
    return toBlock;
  }
}
