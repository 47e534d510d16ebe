import type { Address, Hex } from "viem";
import type { Logger } from "pino";
import { reassign } from "../chain/actions/reassign";
import { refund } from "../chain/actions/refund";
import { settle } from "../chain/actions/settle";
import type { ContractCall } from "../chain/contractCall";
import { RequestState } from "../chain/enums.generated";
import { TransactionRevertedError } from "../chain/errors";
import type { KeeperMetrics } from "./metrics";
import type { TxSender } from "./TxSender";

/** The router call that moves a request on from its state: settle when Settleable, reassign when Expired, refund when
 * Unservable. */
const ACTIONS = {
  [RequestState.Settleable]: ["settle", settle],
  [RequestState.Expired]: ["reassign", reassign],
  [RequestState.Unservable]: ["refund", refund],
} as const;

export interface AdvanceRequestParameters {
  router: Address;
  /** Sends a call and throws TransactionRevertedError when it reverts. */
  send: (call: ContractCall) => Promise<void>;
  metrics: KeeperMetrics;
  logger: Logger;
}

/**
 * Sends the router call that request `id`, in `state`, is due for: `sent`, `refused` (someone else moved the request
 * first, or its state changed since it was read: the next look reads it again), or `none` when nothing is due.
 */
export async function advanceRequest(
  p: AdvanceRequestParameters,
  id: Hex,
  state: number,
): Promise<"sent" | "refused" | "none"> {
  const due = ACTIONS[state as keyof typeof ACTIONS];
  if (!due) return "none";
  const [action, call] = due;
  try {
    await p.send(call({ address: p.router, id }));
    p.metrics.routerActions.inc({ action });
    if (action === "settle") p.metrics.counts.settlements++;
    else if (action === "refund") p.metrics.counts.refunds++;
    else p.metrics.counts.reassignments++;
    p.logger.info({ request: id, action }, `request ${action}`);
    return "sent";
  } catch (error) {
    if (!(error instanceof TransactionRevertedError)) throw error;
    p.logger.debug({ request: id, action, error: error.errorName }, "router call refused");
    return "refused";
  }
}

/** Sends router calls from the keeper's one nonce sequence, counting them; a reverted call throws. */
export function createRouterSend(sender: TxSender, metrics: KeeperMetrics, signal: AbortSignal) {
  return async (call: ContractCall): Promise<void> => {
    const receipt = await sender.send(call, signal);
    metrics.counts.transactions++;
    if (receipt.status !== "success") {
      throw new TransactionRevertedError(call.functionName, undefined, undefined, receipt.transactionHash);
    }
  };
}
