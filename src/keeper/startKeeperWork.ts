import { setMaxListeners } from "node:events";
import type { Logger } from "pino";
import { createVerityClients } from "../chain/createVerityClients";
import { createKeeperSteps, startKeeperLoop } from "./createKeeperSteps";
import { createKeeperWorkers } from "./createKeeperWorkers";
import { KeeperStore } from "./KeeperStore";
import { KeeperMetrics } from "./metrics";
import type { KeeperOptions } from "./startKeeper";

/**
 * The keeper's chain side: the RPC client, the store, the workers (batches, router, requests, validator) and the one
 * work loop running their steps. Everything listens to `controller.signal`: aborting it stops every loop, backoff
 * sleep and in-flight request.
 */
export function startKeeperWork(options: KeeperOptions, logger: Logger) {
  const pollingIntervalMs = options.pollingIntervalMs ?? 500;
  const { deployment } = options;
  const { publicClient } = createVerityClients({
    rpcUrl: options.rpcUrl,
    chainId: deployment.chainId,
    pollingInterval: pollingIntervalMs,
    retryCount: options.rpcRetryCount ?? 1,
  });
  const domain = { chainId: deployment.chainId, verifyingContract: deployment.contracts.attestationRegistry };
  const store = new KeeperStore(options.db);
  const metrics = new KeeperMetrics();
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const { signal } = controller;
  const workers = createKeeperWorkers({ options, publicClient, store, domain, metrics, logger, signal });
  const steps = createKeeperSteps({ store, ...workers, metrics, logger, signal });
  const loop = startKeeperLoop(steps, pollingIntervalMs, logger);
  return { pollingIntervalMs, publicClient, domain, store, metrics, controller, workers, steps, loop };
}
