import pino, { type Logger } from "pino";
import type { Address, Hex, LocalAccount } from "viem";
import type { DeploymentRecord } from "../chain/deployment";
import { getNativeUnavailableReason, getSecp256k1Backend } from "../protocol";
import { listenHttp, type HttpListener } from "../service/listenHttp";
import { checkNodeStartup } from "./checkNodeStartup";
import { createNodeApp, DEFAULT_MAX_BODY_BYTES } from "./createNodeApp";
import { createNodeContext } from "./createNodeContext";
import { createInferHandler } from "./handleInfer";
import { loadServedModels } from "./loadServedModels";
import { NodeStore } from "./NodeStore";
import { createInferNativeRoute } from "./serveInferNative";
import { startNodeLoops, type NodeLoops } from "./startNodeLoops";

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
  /** How dishonest answers are wrong (`output`, default, or `trace`: see `NodeContext.dishonestMode`). */
  dishonestMode?: "output" | "trace";
  /** Seconds after `issuedAt` the node serves a runtime-v2 receipt's trace (default 7 days). */
  traceRetentionSeconds?: number;
  /** Follow the InferenceRouter's assignments (default true). */
  watchRouter?: boolean;
  /** Group commit of concurrent requests' receipts (default true; false is one commit per request, the old path). */
  groupCommit?: boolean;
  /**
   * Serve `POST /v1/infer` on Node's own HTTP parser, before the Hono app (default true; false sends it through Hono
   * like every other route, the path before the fast one). Same logic and answers either way.
   */
  nativeInfer?: boolean;
  /**
   * Group commits fsync the WAL on libuv's thread pool while the event loop serves on (default true); false: SQLite
   * fsyncs inside each commit, on the event loop. Answers wait for the fsync either way.
   */
  backgroundSync?: boolean;
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
  const startup = await checkNodeStartup(options);
  if (!startup.active) {
    logger.warn({ operator: options.operator }, "operator is not active (no stake, or jailed): serving anyway");
  }
  const models = await loadServedModels({ modelsDir: options.modelsDir, registered: startup.registeredModels, logger });
  const store = new NodeStore(options.db, options.backgroundSync ?? true);
  let loops: NodeLoops | undefined;
  const onReceiptStored = () => loops?.outbox?.wake();
  const context = createNodeContext({ options, startup, store, models, logger, onReceiptStored });
  let http: HttpListener | undefined;
  const stop = async () => {
    await loops?.stop();
    await http?.close();
    for (const model of models.values()) await model.loaded.dispose();
    store.close();
  };
  try {
    loops = startNodeLoops(context, options, startup);
    const infer = createInferHandler(context);
    const app = createNodeApp(context, getNodeHealthSources(loops, options), { batchToken: options.batchToken, infer });
    http = await listenHttp({
      fetch: app.fetch,
      host: options.host ?? "127.0.0.1",
      port: options.port,
      nativeRoutes:
        options.nativeInfer === false ? [] : [createInferNativeRoute(infer, context, DEFAULT_MAX_BODY_BYTES)],
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const { url } = http;
  logger.info(
    {
      url,
      operator: options.operator,
      signer: options.signer.address,
      models: [...models.keys()],
      dishonestShare: context.dishonestShare,
      crypto: getSecp256k1Backend(),
      cryptoFallback: getNativeUnavailableReason(),
    },
    "node service listening",
  );
  let closed = false;
  const running = loops;
  return {
    url,
    operator: options.operator,
    signer: options.signer.address,
    models: [...models.keys()],
    stats: () => getNodeServiceStats(store),
    flushOutbox: () => running.outbox?.wake(),
    openFraudGames: () => running.defender?.games().map((g) => g.id) ?? [],
    async close() {
      if (closed) return;
      closed = true;
      await stop();
      logger.info({ url }, "node service stopped");
    },
  };
}

/** What `GET /health` reports beyond the store: whether the operator is active, the chain head, and what is wrong. */
function getNodeHealthSources(loops: NodeLoops, options: NodeServiceOptions) {
  return {
    active: () => loops.active(),
    lastBlock: () => loops.watcher?.lastBlock(),
    problems: () => {
      const problems: string[] = [];
      if (!loops.active()) problems.push("operator not active in the NodeRegistry");
      const chainError = loops.watcher?.lastError();
      if (chainError) problems.push(`chain: ${chainError}`);
      const keeperError = loops.outbox?.lastError();
      if (keeperError) problems.push(`keeper: ${keeperError}`);
      if (!options.keeperUrl) problems.push("no keeper configured: receipts stay in the outbox");
      return problems;
    },
  };
}

/** The node's counts (receipts by origin, outbox, batches signed, router assignments by status). */
function getNodeServiceStats(store: NodeStore): NodeServiceStats {
  const assignments = store.getAssignments();
  const count = (status: string) => assignments.filter((a) => a.status === status).length;
  return {
    receipts: store.countReceipts(),
    outbox: store.countOutbox(),
    batchesSigned: store.countBatches(),
    routerAssignments: { answered: count("answered"), skipped: count("skipped"), pending: count("pending") },
  };
}
