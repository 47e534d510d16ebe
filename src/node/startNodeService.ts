import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import pino, { type Logger } from "pino";
import type { Address, Hex, LocalAccount } from "viem";
import { isNodeActive } from "../chain/actions/isNodeActive";
import { createVerityClients } from "../chain/createVerityClients";
import type { DeploymentRecord } from "../chain/deployment";
import { checkBatchTokenExposure } from "../config/checkBatchTokenExposure";
import { ConfigError } from "../config/ConfigError";
import { getNativeUnavailableReason, getSecp256k1Backend } from "../protocol";
import { createBatchChainView } from "./batchChain";
import { checkOperator } from "./checkOperator";
import type { NodeContext } from "./context";
import { createNodeApp } from "./createNodeApp";
import { createNodeMetrics } from "./createNodeMetrics";
import { NodeStartupError } from "./errors";
import { loadServedModels } from "./loadServedModels";
import { NodeStore } from "./NodeStore";
import { resolveSignedBatches } from "./signReceiptBatch";
import { startFraudDefender, type FraudDefender } from "./startFraudDefender";
import { startOutbox, type Outbox } from "./startOutbox";
import { startRouterWatcher, type RouterWatcher } from "./startRouterWatcher";

export interface NodeServiceOptions {
  rpcUrl: string;
  deployment: DeploymentRecord;
  /** The operator address registered in the NodeRegistry: `node` in every receipt. */
  operator: Address;
  /** The operator's registered signer key. */
  signer: LocalAccount;
  /**
   * The operator's own key (not the signer's). With it the node defends its runtime-v2 receipts in the fraud-proof
   * game (the game takes the node's moves only from the operator); without it a game against the node goes
   * unanswered and is lost by timeout.
   */
  operatorAccount?: LocalAccount | undefined;
  /** SQLite file of the node's state. */
  db: string;
  /** Directory with `manifest.json` and the model artifacts. */
  modelsDir: string;
  host?: string;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** The keeper's base URL; without it receipts stay in the outbox until a keeper is configured. */
  keeperUrl?: string | undefined;
  /**
   * Bearer token required by `POST /v1/batches` and its release route. Required (at least 16 characters) when `host`
   * is beyond loopback: the node refuses to start without it.
   */
  batchToken?: string | undefined;
  /** Blocks below the head the router watcher and the batch checks read at (reorg safety; default 0). */
  confirmations?: number;
  /** Share of outputs corrupted on purpose, in [0, 1] (test and demo mode only; default 0). */
  dishonestShare?: number;
  /** Follow the InferenceRouter's assignments (default true). */
  watchRouter?: boolean;
  /** Group commit of concurrent requests' receipts (default true; false is one commit per request, the old path). */
  groupCommit?: boolean;
  /** Router and outbox polling interval, in milliseconds (default 1,000). */
  pollingIntervalMs?: number;
  logger?: Logger;
}

/** Counts for the demo and tests. */
export interface NodeServiceStats {
  receipts: { api: number; router: number; dishonest: number; forwarded: number };
  outbox: number;
  batchesSigned: number;
  routerAssignments: { answered: number; skipped: number; pending: number };
}

/** A running node service. */
export interface NodeService {
  /** `http://host:port` */
  url: string;
  operator: Address;
  signer: Address;
  /** The model ids served. */
  models: Hex[];
  stats(): NodeServiceStats;
  /** Ids of the fraud games against this node still open (empty without an operator key). */
  openFraudGames(): string[];
  /** Pushes the outbox now (unless it is backing off after a failure). */
  flushOutbox(): void;
  /** Stops the loops, closes the HTTP server and the database. */
  close(): Promise<void>;
}

/**
 * Starts a node: checks on chain that `signer` is the operator's registered signer, loads the models the operator
 * registered that are in `modelsDir`, opens the store, starts the HTTP API, the outbox to the keeper and the router
 * watcher. Throws {@link NodeStartupError} with what to fix when the checks fail.
 */
export async function startNodeService(options: NodeServiceOptions): Promise<NodeService> {
  const logger = options.logger ?? pino({ level: "info" });
  const dishonestShare = options.dishonestShare ?? 0;
  if (!(dishonestShare >= 0 && dishonestShare <= 1)) {
    throw new NodeStartupError(`dishonestShare must be within [0, 1], got ${dishonestShare}.`);
  }
  const pollingIntervalMs = options.pollingIntervalMs ?? 1_000;
  const host = options.host ?? "127.0.0.1";
  const exposure = checkBatchTokenExposure(host, options.batchToken);
  if (exposure) throw new ConfigError(`invalid node configuration: batchToken: ${exposure}`);
  const confirmations = BigInt(options.confirmations ?? 0);
  if (confirmations < 0n) throw new ConfigError(`invalid node configuration: confirmations: must be 0 or more`);
  const { deployment } = options;
  const { contracts } = deployment;
  const { publicClient } = createVerityClients({
    rpcUrl: options.rpcUrl,
    chainId: deployment.chainId,
    pollingInterval: pollingIntervalMs,
  });
  let chainId: number;
  try {
    chainId = await publicClient.getChainId();
  } catch (cause) {
    throw new NodeStartupError(`Cannot reach the chain at ${options.rpcUrl}.`, { cause });
  }
  if (chainId !== deployment.chainId) {
    throw new NodeStartupError(
      `The chain at ${options.rpcUrl} has id ${chainId}, the deployment is for ${deployment.chainId}.`,
    );
  }
  const operatorState = await checkOperator({
    publicClient,
    nodeRegistry: contracts.nodeRegistry,
    modelRegistry: contracts.modelRegistry,
    operator: options.operator,
    signer: options.signer.address,
  });
  let active = operatorState.active;
  if (!active)
    logger.warn({ operator: options.operator }, "operator is not active (no stake, or jailed): serving anyway");
  const models = await loadServedModels({ modelsDir: options.modelsDir, registered: operatorState.models, logger });

  if (options.operatorAccount && options.operatorAccount.address.toLowerCase() !== options.operator.toLowerCase()) {
    throw new NodeStartupError(
      `The operator key is for ${options.operatorAccount.address}, the operator is ${options.operator}.`,
    );
  }
  const store = new NodeStore(options.db);
  let outbox: Outbox | undefined;
  let defender: FraudDefender | undefined;
  let watcher: RouterWatcher | undefined;
  const metrics = createNodeMetrics(() => store.countOutbox());
  const context: NodeContext = {
    store,
    models,
    signer: options.signer,
    operator: options.operator,
    chainId,
    domain: { chainId, verifyingContract: contracts.attestationRegistry },
    batchChain: createBatchChainView({
      publicClient,
      attestationRegistry: contracts.attestationRegistry,
      operator: options.operator,
      confirmations,
    }),
    dishonestShare,
    metrics,
    logger,
    now: () => BigInt(Math.floor(Date.now() / 1000)),
    onReceiptStored: () => outbox?.wake(),
    groupCommit: options.groupCommit ?? true,
  };

  let server: ReturnType<typeof serve> | undefined;
  try {
    if (options.keeperUrl)
      outbox = startOutbox(context, { keeperUrl: options.keeperUrl, intervalMs: pollingIntervalMs });
    if (options.watchRouter ?? true) {
      watcher = startRouterWatcher(context, {
        publicClient,
        router: contracts.inferenceRouter,
        startBlock: BigInt(deployment.startBlock),
        pollingIntervalMs,
        confirmations,
      });
    }
    if (options.operatorAccount) {
      defender = startFraudDefender(context, {
        clients: createVerityClients({
          rpcUrl: options.rpcUrl,
          chainId,
          account: options.operatorAccount,
          pollingInterval: pollingIntervalMs,
        }),
        fraudGame: contracts.fraudGame,
        startBlock: BigInt(deployment.startBlock),
        pollingIntervalMs,
        confirmations,
      });
    } else if ([...models.values()].some((m) => m.integerV2)) {
      logger.warn("no operator key: fraud games against this node's runtime-v2 receipts will not be answered");
    }
    const app = createNodeApp(
      context,
      {
        active: () => active,
        lastBlock: () => watcher?.lastBlock(),
        problems: () => {
          const problems: string[] = [];
          if (!active) problems.push("operator not active in the NodeRegistry");
          const chainError = watcher?.lastError();
          if (chainError) problems.push(`chain: ${chainError}`);
          const keeperError = outbox?.lastError();
          if (keeperError) problems.push(`keeper: ${keeperError}`);
          if (!options.keeperUrl) problems.push("no keeper configured: receipts stay in the outbox");
          return problems;
        },
      },
      { batchToken: options.batchToken },
    );
    const info = await new Promise<AddressInfo>((resolve, reject) => {
      server = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 0 }, resolve);
      server.once("error", reject);
    });
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${info.port}`;
    logger.info(
      {
        url,
        operator: options.operator,
        signer: options.signer.address,
        models: [...models.keys()],
        dishonestShare,
        crypto: getSecp256k1Backend(),
        cryptoFallback: getNativeUnavailableReason(),
      },
      "node service listening",
    );
    const refreshActive = setInterval(() => {
      isNodeActive(publicClient, { address: contracts.nodeRegistry, node: options.operator })
        .then((value) => (active = value))
        .catch(() => {});
    }, 30_000);
    refreshActive.unref();
    // Signed batches the chain has passed by are settled (attested, or dead with their receipts freed) on this timer
    // too, not only when the keeper asks for the next batch.
    let resolving = false;
    const resolveBatches = setInterval(() => {
      if (resolving) return;
      resolving = true;
      resolveSignedBatches(context)
        .catch((error: unknown) => logger.debug({ err: error }, "cannot check signed batches on chain"))
        .finally(() => (resolving = false));
    }, pollingIntervalMs * 5);
    resolveBatches.unref();

    let closed = false;
    return {
      url,
      operator: options.operator,
      signer: options.signer.address,
      models: [...models.keys()],
      stats: () => {
        const assignments = store.getAssignments();
        const count = (status: string) => assignments.filter((a) => a.status === status).length;
        return {
          receipts: store.countReceipts(),
          outbox: store.countOutbox(),
          batchesSigned: store.countBatches(),
          routerAssignments: { answered: count("answered"), skipped: count("skipped"), pending: count("pending") },
        };
      },
      flushOutbox: () => outbox?.wake(),
      openFraudGames: () => defender?.games().map((g) => g.id) ?? [],
      async close() {
        if (closed) return;
        closed = true;
        clearInterval(refreshActive);
        clearInterval(resolveBatches);
        await Promise.all([outbox?.stop(), watcher?.stop(), defender?.stop()]);
        await new Promise<void>((resolve) => server!.close(() => resolve()));
        for (const model of models.values()) await model.loaded.dispose();
        store.close();
        logger.info({ url }, "node service stopped");
      },
    };
  } catch (error) {
    await Promise.all([outbox?.stop(), watcher?.stop(), defender?.stop()]);
    server?.close();
    for (const model of models.values()) await model.loaded.dispose();
    store.close();
    throw error;
  }
}
