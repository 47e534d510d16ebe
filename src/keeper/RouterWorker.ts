import type { Address, PublicClient } from "viem";
import type { Logger } from "pino";
import { disputeFulfillment } from "../chain/actions/disputeFulfillment";
import { fulfill } from "../chain/actions/fulfill";
import { getAssignments } from "../chain/actions/getAssignments";
import { getRequestState } from "../chain/actions/getRequestState";
import type { ContractCall } from "../chain/contractCall";
import { RequestState, requestStateNames } from "../chain/enums.generated";
import { TransactionRevertedError } from "../chain/errors";
import { buildReceiptBatch, getBatchId, getReceiptStructHash } from "../protocol";
import { createRouterSend } from "./advanceRequest";
import { PermanentError } from "./errors";
import type { KeeperStore, RouterTask } from "./KeeperStore";
import type { KeeperMetrics } from "./metrics";
import type { TxSender } from "./TxSender";

const STATE_NAMES: readonly string[] = requestStateNames;

export interface RouterWorkerOptions {
  store: KeeperStore;
  publicClient: PublicClient;
  sender: TxSender;
  router: Address;
  metrics: KeeperMetrics;
  logger: Logger;
  /** Least time between two looks at the same request while nothing is due. */
  recheckMs: number;
  /** Blocks below the head a fulfilment or a final state must be before the task moves on (reorg safety). */
  confirmations: bigint;
  signal: AbortSignal;
}

/**
 * Router work of receipts that answer on-chain requests, after their batch is attested: `fulfill` once (skipped when
 * `getAssignments` already holds the receipt; `RouterAlreadyFulfilled` counts as done), then wait until the request
 * watcher (`RequestWatcher`, which settles, reassigns and refunds every request) records it Settled or Refunded.
 * Every step re-reads the chain first, so a restart repeats nothing. A fulfilment counts only once `confirmations`
 * deep: one that a reorganization drops is done again. While the request is verifying, a
 * receipt of ours that another fulfilment contradicts is put under judgment (`disputeFulfillment`, no bond): an
 * unjudged contradicted receipt earns nothing, and the keeper holds the proof the router needs.
 */
export class RouterWorker {
  private readonly nextLook = new Map<string, number>();
  /** Receipts whose dispute this worker asked for (or found impossible) since it started. */
  private readonly judged = new Set<string>();

  private readonly send: (call: ContractCall) => Promise<void>;

  constructor(private readonly o: RouterWorkerOptions) {
    this.send = createRouterSend(o.sender, o.metrics, o.signal);
  }

  /** Open tasks that are due; true when any transaction was sent. */
  async step(): Promise<boolean> {
    let acted = false;
    const now = Date.now();
    for (const task of this.o.store.openTasks()) {
      if (this.o.signal.aborted) break;
      if ((this.nextLook.get(task.receiptHash) ?? 0) > now) continue;
      const before = this.o.metrics.counts.transactions;
      if (task.state === "fulfil") await this.fulfil(task);
      else await this.track(task);
      if (this.o.metrics.counts.transactions !== before) acted = true;
      else this.nextLook.set(task.receiptHash, Date.now() + this.o.recheckMs);
    }
    return acted;
  }

  /** True when no fulfil is left to do. */
  fulfilsDone(): boolean {
    return this.o.store.openTasks().every((task) => task.state !== "fulfil");
  }

  /** The block the worker trusts, or undefined (latest) without confirmations. */
  private async confirmedBlock(): Promise<bigint | undefined> {
    if (this.o.confirmations === 0n) return undefined;
    const head = await this.o.publicClient.getBlockNumber({ cacheTime: 0 });
    return head > this.o.confirmations ? head - this.o.confirmations : 0n;
  }

  private async fulfilled(task: RouterTask, blockNumber: bigint | undefined): Promise<boolean> {
    const assignments = await getAssignments(this.o.publicClient, {
      address: this.o.router,
      id: task.requestId,
      blockNumber,
    });
    return assignments.some((a) => a.receiptHash.toLowerCase() === task.receiptHash.toLowerCase());
  }

  private async fulfil(task: RouterTask): Promise<void> {
    const { store, router, logger, metrics } = this.o;
    const confirmed = await this.confirmedBlock();
    if (await this.fulfilled(task, confirmed)) {
      store.updateTask({ ...task, state: "track", fulfilled: true });
      return;
    }
    // Fulfilled in a block not confirmed yet: wait; if a reorganization drops it, it is sent again.
    if (confirmed !== undefined && (await this.fulfilled(task, undefined))) return;
    const { built, index } = this.locate(task);
    const receipt = built.receipts[index]!;
    try {
      const batchId = getBatchId({ node: receipt.node, root: built.root });
      await this.send(fulfill({ address: router, id: task.requestId, receipt, batchId, proof: built.proofs[index]! }));
      metrics.counts.fulfils++;
      metrics.routerActions.inc({ action: "fulfill" });
      logger.info({ request: task.requestId, receipt: task.receiptHash }, "request fulfilled");
      if (confirmed === undefined) store.updateTask({ ...task, state: "track", fulfilled: true, error: null });
    } catch (error) {
      if (!(error instanceof TransactionRevertedError)) throw error;
      const done = error.errorName === "RouterAlreadyFulfilled";
      if (!done) logger.warn({ request: task.requestId, error: error.errorName }, "fulfill refused");
      store.updateTask({
        ...task,
        state: "track",
        fulfilled: done,
        error: done ? null : (error.errorName ?? error.message),
      });
    }
  }

  /**
   * A fulfilled (or refused) task waits for its request to end: the request watcher, which follows every request,
   * moves it on (settle, reassign, refund) and records its outcome once confirmed. Meanwhile a contradicted receipt of
   * ours is put under judgment; a request that does not exist on chain (state None) ends the task at once.
   */
  private async track(task: RouterTask): Promise<void> {
    const { store, publicClient, router } = this.o;
    const outcome = store.requestOutcome(task.requestId);
    if (outcome !== undefined) {
      store.updateTask({ ...task, state: "done", outcome });
      return;
    }
    if (task.fulfilled) {
      await this.judgeIfContradicted(task);
      return;
    }
    const state = Number(await getRequestState(publicClient, { address: router, id: task.requestId }));
    if (state === RequestState.None)
      store.updateTask({ ...task, state: "done", outcome: STATE_NAMES[state] ?? "None" });
  }

  /**
   * Opens the router dispute on our fulfilled receipt when another fulfilment of the request claims another output,
   * while the request is verifying.
   */
  private async judgeIfContradicted(task: RouterTask): Promise<void> {
    if (this.judged.has(task.receiptHash)) return;
    const { publicClient, router, logger, metrics } = this.o;
    const assignments = await getAssignments(publicClient, { address: router, id: task.requestId });
    const own = assignments.find((a) => a.rank !== 0 && a.receiptHash.toLowerCase() === task.receiptHash.toLowerCase());
    if (!own) return;
    const contradicted = assignments.some((a) => a.rank !== 0 && a.outputHash !== own.outputHash);
    if (!contradicted) return;
    const state = Number(await getRequestState(publicClient, { address: router, id: task.requestId }));
    if (state !== RequestState.Verifying && state !== RequestState.Pending) return;
    this.judged.add(task.receiptHash);
    const { built, index } = this.locate(task);
    const receipt = built.receipts[index]!;
    const batchId = getBatchId({ node: receipt.node, root: built.root });
    try {
      await this.send(
        disputeFulfillment({ address: router, id: task.requestId, receipt, batchId, proof: built.proofs[index]! }),
      );
      metrics.routerActions.inc({ action: "disputeFulfillment" });
      logger.info({ request: task.requestId, receipt: task.receiptHash }, "contradicted fulfilment put under judgment");
    } catch (error) {
      // Already under dispute (the router opened it, or a verifier did), or its window closed: nothing to do.
      if (!(error instanceof TransactionRevertedError)) throw error;
      logger.debug({ request: task.requestId, error: error.errorName }, "disputeFulfillment refused");
    }
  }

  /** The task's receipt in its attested batch as built on chain: the batch, and the receipt's index in it. */
  private locate(task: RouterTask) {
    const { store } = this.o;
    const receipts = store.leaves(task.batch) ?? store.members(task.batch).map((m) => m.receipt);
    const built = buildReceiptBatch(receipts);
    const index = built.receipts.findIndex(
      (r) => getReceiptStructHash(r).toLowerCase() === task.receiptHash.toLowerCase(),
    );
    if (index < 0) throw new PermanentError(`receipt ${task.receiptHash} is not in batch ${task.batch}`);
    return { built, index };
  }
}
