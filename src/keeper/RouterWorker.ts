import type { Address, PublicClient } from "viem";
import type { Logger } from "pino";
import { fulfill } from "../chain/actions/fulfill";
import { getAssignments } from "../chain/actions/getAssignments";
import { getRequestState } from "../chain/actions/getRequestState";
import { reassign } from "../chain/actions/reassign";
import { refund } from "../chain/actions/refund";
import { settle } from "../chain/actions/settle";
import type { ContractCall } from "../chain/contractCall";
import { RequestState, requestStateNames } from "../chain/enums.generated";
import { TransactionRevertedError } from "../chain/errors";
import { buildReceiptBatch } from "../protocol";
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
  signal: AbortSignal;
}

/**
 * Router work of receipts that answer on-chain requests, after their batch is attested: `fulfill` once (skipped when
 * `getAssignments` already holds the receipt; `RouterAlreadyFulfilled` counts as done), then follow the request's
 * `state` and call `settle` when Settleable, `reassign` when Expired, `refund` when Unservable, until it is Settled
 * or Refunded. Every step re-reads the chain first, so a restart repeats nothing.
 */
/** The router call that moves a request on from its current state. */
const ROUTER_ACTIONS = { settle, reassign, refund } as const;

export class RouterWorker {
  private readonly nextLook = new Map<string, number>();

  constructor(private readonly o: RouterWorkerOptions) {}

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

  private async fulfil(task: RouterTask): Promise<void> {
    const { store, publicClient, router, logger, metrics } = this.o;
    const assignments = await getAssignments(publicClient, { address: router, id: task.requestId });
    if (assignments.some((a) => a.receiptHash.toLowerCase() === task.receiptHash.toLowerCase())) {
      store.updateTask({ ...task, state: "track", fulfilled: true });
      return;
    }
    const members = store.members(task.batch);
    const built = buildReceiptBatch(members.map((m) => m.receipt));
    const index = built.order.findIndex((i) => members[i]!.hash === task.receiptHash);
    const receipt = members[built.order[index]!]!.receipt;
    try {
      await this.send(
        fulfill({ address: router, id: task.requestId, receipt, batchId: built.root, proof: built.proofs[index]! }),
      );
      metrics.counts.fulfils++;
      metrics.routerActions.inc({ action: "fulfill" });
      logger.info({ request: task.requestId, receipt: task.receiptHash }, "request fulfilled");
      store.updateTask({ ...task, state: "track", fulfilled: true, error: null });
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

  private async track(task: RouterTask): Promise<void> {
    const { store, publicClient, router, metrics, logger } = this.o;
    const state = await getRequestState(publicClient, { address: router, id: task.requestId });
    const action =
      state === RequestState.Settleable
        ? "settle"
        : state === RequestState.Expired
          ? "reassign"
          : state === RequestState.Unservable
            ? "refund"
            : undefined;
    if (state === RequestState.Settled || state === RequestState.Refunded || state === RequestState.None) {
      store.updateTask({ ...task, state: "done", outcome: STATE_NAMES[state] ?? String(state) });
      return;
    }
    if (!action) return;
    try {
      await this.send(ROUTER_ACTIONS[action]({ address: router, id: task.requestId }));
      metrics.routerActions.inc({ action });
      if (action === "settle") metrics.counts.settlements++;
      else if (action === "refund") metrics.counts.refunds++;
      else metrics.counts.reassignments++;
      logger.info({ request: task.requestId, action }, `request ${action}`);
    } catch (error) {
      // Someone else moved it first (or it changed state between our read and the call): read it again next time.
      if (!(error instanceof TransactionRevertedError)) throw error;
      logger.debug({ request: task.requestId, action, error: error.errorName }, "router call refused");
    }
  }

  private async send(call: ContractCall): Promise<void> {
    const receipt = await this.o.sender.send(call, this.o.signal);
    this.o.metrics.counts.transactions++;
    if (receipt.status !== "success")
      throw new TransactionRevertedError(call.functionName, undefined, undefined, receipt.transactionHash);
  }
}
