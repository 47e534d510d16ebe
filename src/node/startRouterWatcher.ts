import type { Address, Hex, PublicClient } from "viem";
import { getAssignments } from "../chain/actions/getAssignments";
import { getRequest } from "../chain/actions/getRequest";
import { getRequestCreatedEvents } from "../chain/actions/getRequestCreatedEvents";
import { getRequestState } from "../chain/actions/getRequestState";
import { scanNodeAssignments } from "../chain/actions/scanNodeAssignments";
import { RequestState } from "../chain/enums.generated";
import { decodePayload, getErrorMessage, getPayloadHash, type TensorPayload } from "../protocol";
import { InputValidationError, validatePayload } from "../runtime";
import type { NodeContext } from "./context";
import { backoffDelay } from "../service/backoff";
import { createLoop, type Loop } from "../service/createLoop";
import { fetchInput, InputUnavailableError } from "./fetchInput";
import type { AssignmentRecord } from "./NodeStore";
import { runInference } from "./runInference";

const MAX_FETCH_ATTEMPTS = 5;

export interface StartRouterWatcherParameters {
  publicClient: PublicClient;
  router: Address;
  /** Where to start reading when the store holds no cursor (the deployment's start block). */
  startBlock: bigint;
  pollingIntervalMs: number;
  /** Blocks below the head it reads up to: an assignment is acted on only once confirmed (default 0). */
  confirmations?: bigint;
  /** Most blocks per log query (default 2,000). */
  maxBlockRange?: bigint;
}

/** The watcher loop, with what `/health` reports. */
export interface RouterWatcher extends Loop {
  /** The last block read, if any. */
  lastBlock(): bigint | undefined;
  lastError(): string | undefined;
}

/**
 * Follows `NodeAssigned` events for this node from the stored cursor up to the confirmed block, records each assignment with the new cursor in
 * one transaction, then answers the due ones: reads the request, fetches its input from the `inputURI` of its
 * `RequestCreated` event, checks the input hashes to the request's `inputHash`, runs it and stores the receipt
 * (request id = the router's) together with the assignment's `answered` mark, so a restart never answers twice.
 * Assignments that cannot be served (request no longer pending, slot taken by another node, model not served,
 * wrong input) are skipped with the reason logged; unreachable inputs are retried a few times.
 */
export function startRouterWatcher(context: NodeContext, parameters: StartRouterWatcherParameters): RouterWatcher {
  const { publicClient, router } = parameters;
  const maxBlockRange = parameters.maxBlockRange ?? 2_000n;
  let lastBlock: bigint | undefined;
  let lastError: string | undefined;

  const confirmations = parameters.confirmations ?? 0n;
  const readAssignments = async () => {
    const latest = await publicClient.getBlockNumber({ cacheTime: 0 });
    const head = latest > confirmations ? latest - confirmations : 0n;
    await scanNodeAssignments(publicClient, {
      address: router,
      node: context.operator,
      fromBlock: context.store.getRouterCursor() ?? parameters.startBlock,
      toBlock: head,
      maxBlockRange,
      onLogs: (logs, { fromBlock, toBlock, nextBlock }) => {
        context.store.recordAssignments(
          logs.map((log) => ({
            requestId: log.args.id,
            round: log.args.round,
            slot: log.args.slot,
            blockNumber: log.blockNumber,
            deadline: log.args.deadline,
          })),
          nextBlock,
        );
        if (logs.length > 0)
          context.logger.info({ assignments: logs.length, fromBlock, toBlock }, "router assignments seen");
      },
    });
    lastBlock = head;
  };

  const skip = (assignment: AssignmentRecord, reason: string) => {
    context.store.skipAssignment(assignment, reason);
    context.metrics.routerSkipped.inc();
    context.logger.warn(
      { requestId: assignment.requestId, round: assignment.round, reason },
      "router assignment skipped",
    );
  };

  const readInputUri = async (assignment: AssignmentRecord): Promise<string | undefined> => {
    // Round 0 is assigned in the request's own transaction; later rounds look back from the deployment.
    const ranges: [bigint, bigint][] =
      assignment.round === 0
        ? [[assignment.blockNumber, assignment.blockNumber]]
        : [[parameters.startBlock, assignment.blockNumber]];
    for (const [fromBlock, toBlock] of ranges) {
      const [created] = await getRequestCreatedEvents(publicClient, {
        address: router,
        args: { id: assignment.requestId },
        fromBlock,
        toBlock,
      });
      if (created) return created.args.inputURI;
    }
    return undefined;
  };

  const answer = async (assignment: AssignmentRecord) => {
    const { requestId } = assignment;
    const answered = context.store.findReceiptsByRequest(requestId, "router");
    if (answered.length > 0) return skip(assignment, `request already answered (receipt ${answered[0]!.receiptHash})`);
    const state = await getRequestState(publicClient, { address: router, id: requestId });
    if (state !== RequestState.Pending) return skip(assignment, `request is not pending (state ${state})`);
    const slots = await getAssignments(publicClient, { address: router, id: requestId });
    if (slots[assignment.slot]?.node.toLowerCase() !== context.operator.toLowerCase()) {
      return skip(assignment, `slot ${assignment.slot} is no longer assigned to this node`);
    }
    const request = await getRequest(publicClient, { address: router, id: requestId });
    const model = context.models.get(request.modelId.toLowerCase() as Hex);
    if (!model) return skip(assignment, `model ${request.modelId} is not served here`);
    const inputUri = await readInputUri(assignment);
    if (inputUri === undefined) throw new InputUnavailableError("RequestCreated event not found yet.", true);
    let input: TensorPayload;
    try {
      input = decodePayload(await fetchInput(inputUri));
    } catch (error) {
      if (error instanceof InputUnavailableError && error.retryable) throw error;
      return skip(assignment, `input at ${inputUri.slice(0, 80)} is unusable: ${getErrorMessage(error)}`);
    }
    const inputHash = getPayloadHash(input);
    if (inputHash !== request.inputHash.toLowerCase()) {
      return skip(assignment, `input hashes to ${inputHash}, the request names ${request.inputHash}`);
    }
    try {
      // The receipt commits exactly what the request hashed: validation checks, it never rewrites.
      if (getPayloadHash(validatePayload(model.signature, input)) !== inputHash) {
        return skip(
          assignment,
          "input is a bundle naming the only input of a one-input model; expected the plain tensor",
        );
      }
    } catch (error) {
      if (error instanceof InputValidationError)
        return skip(assignment, `input does not match the model: ${error.details}`);
      throw error;
    }
    const { stored } = await runInference(context, {
      model,
      input,
      requestId,
      source: "router",
      alsoStore: (receiptHash) => context.store.answerAssignment(assignment, receiptHash),
    });
    context.metrics.routerAnswered.inc();
    context.logger.info({ requestId, receiptHash: stored.receiptHash }, "router request answered");
  };

  const loop = createLoop(
    async () => {
      try {
        await readAssignments();
        for (const assignment of context.store.getDueAssignments(Date.now())) {
          try {
            await answer(assignment);
          } catch (error) {
            const message = getErrorMessage(error);
            if (assignment.attempts + 1 >= MAX_FETCH_ATTEMPTS) {
              skip(assignment, `gave up after ${assignment.attempts + 1} attempts: ${message}`);
            } else {
              const delay = backoffDelay(assignment.attempts + 1, 1_000, 60_000);
              context.store.retryAssignment(assignment, message, Date.now() + delay);
              context.logger.warn(
                { requestId: assignment.requestId, retryInMs: delay, error: message },
                "router assignment retry",
              );
            }
          }
        }
        lastError = undefined;
      } catch (error) {
        lastError = getErrorMessage(error);
        throw error;
      }
      return { delayMs: parameters.pollingIntervalMs };
    },
    (error) => context.logger.warn({ err: error }, "router watcher step failed"),
    parameters.pollingIntervalMs,
  );
  return { ...loop, lastBlock: () => lastBlock, lastError: () => lastError };
}
