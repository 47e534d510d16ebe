import type { PublicClient } from "viem";
import { isNodeActive } from "../chain/actions/isNodeActive";
import { createVerityClients } from "../chain/createVerityClients";
import { createLoop, type Loop } from "../service/createLoop";
import type { NodeContext } from "./context";
import { resolveSignedBatches } from "./signReceiptBatch";
import { startFraudDefender, type FraudDefender } from "./startFraudDefender";
import type { NodeServiceOptions } from "./startNodeService";
import { startOutbox, type Outbox } from "./startOutbox";
import { startRouterWatcher, type RouterWatcher } from "./startRouterWatcher";

/** How often the node reads whether its operator is still active. */
const ACTIVE_REFRESH_MS = 30_000;

/** The node's background work. */
export interface NodeLoops {
  /** Forwards receipts to the keeper (undefined without a keeper URL). */
  outbox: Outbox | undefined;
  /** Follows the router's assignments (undefined when not watching). */
  watcher: RouterWatcher | undefined;
  /** Defends the node's runtime-v2 receipts in fraud games (undefined without the operator key). */
  defender: FraudDefender | undefined;
  /** Whether the operator was active at the last look. */
  active(): boolean;
  /** Stops every loop and waits for the running steps. */
  stop(): Promise<void>;
}

/**
 * Starts the node's loops: the outbox to the keeper, the router watcher, the fraud-game defender, a look at whether the
 * operator is still active, and the settling of signed batches the chain has passed by (attested, or dead with their
 * receipts freed), which otherwise happens only when the keeper asks for the next batch.
 */
export function startNodeLoops(
  context: NodeContext,
  options: NodeServiceOptions,
  chain: { publicClient: PublicClient; chainId: number; active: boolean },
): NodeLoops {
  const { contracts, startBlock } = options.deployment;
  const pollingIntervalMs = options.pollingIntervalMs ?? 1_000;
  const confirmations = BigInt(options.confirmations ?? 0);
  const { logger } = context;
  let active = chain.active;
  const started: Loop[] = [];
  const loops: NodeLoops = {
    outbox: undefined,
    watcher: undefined,
    defender: undefined,
    active: () => active,
    async stop() {
      await Promise.all([loops.outbox?.stop(), loops.watcher?.stop(), loops.defender?.stop()]);
      await Promise.all(started.map((loop) => loop.stop()));
    },
  };
  try {
    if (options.keeperUrl) {
      loops.outbox = startOutbox(context, { keeperUrl: options.keeperUrl, intervalMs: pollingIntervalMs });
    }
    if (options.watchRouter ?? true) {
      loops.watcher = startRouterWatcher(context, {
        publicClient: chain.publicClient,
        router: contracts.inferenceRouter,
        startBlock: BigInt(startBlock),
        pollingIntervalMs,
        confirmations,
      });
    }
    if (options.operatorAccount) {
      loops.defender = startFraudDefender(context, {
        clients: createVerityClients({
          rpcUrl: options.rpcUrl,
          chainId: chain.chainId,
          account: options.operatorAccount,
          pollingInterval: pollingIntervalMs,
        }),
        fraudGame: contracts.fraudGame,
        startBlock: BigInt(startBlock),
        pollingIntervalMs,
        confirmations,
      });
    } else if ([...context.models.values()].some((m) => m.integerV2)) {
      logger.warn("no operator key: fraud games against this node's runtime-v2 receipts will not be answered");
    }
    const readActive = async () => {
      active = await isNodeActive(chain.publicClient, { address: contracts.nodeRegistry, node: options.operator });
      return { delayMs: ACTIVE_REFRESH_MS };
    };
    const settleBatches = async () => {
      await resolveSignedBatches(context);
      return { delayMs: pollingIntervalMs * 5 };
    };
    started.push(
      createLoop(readActive, () => {}, ACTIVE_REFRESH_MS),
      createLoop(
        settleBatches,
        (error) => logger.debug({ err: error }, "cannot check signed batches on chain"),
        pollingIntervalMs * 5,
      ),
    );
  } catch (error) {
    void loops.stop();
    throw error;
  }
  return loops;
}
