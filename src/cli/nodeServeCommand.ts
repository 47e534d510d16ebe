import type { Command } from "commander";
import pino from "pino";
import type { Address } from "viem";
import { readDeploymentFile } from "../chain/deployment";
import { loadSignerAccount } from "../config/loadSignerAccount";
import { parseNodeConfig } from "../config/nodeConfig";
import { startNodeService } from "../node/startNodeService";
import { stopWhenOrphaned } from "./stopWhenOrphaned";
import { SERVICE_RPC_URL_HELP, assertServiceChain, resolveServiceRpcUrl } from "./resolveServiceRpcUrl";

/** `verity node serve`: the inference node service (docs/services.md § Node service). */
export function addNodeServeCommand(nodeCommand: Command): void {
  const env = process.env;
  nodeCommand
    .command("serve")
    .description("serve inferences with signed receipts, sign batches for the keeper, answer router assignments")
    .option("--rpc-url <url>", SERVICE_RPC_URL_HELP)
    .option(
      "--deployment <file>",
      "deployment address file (env VERITY_DEPLOYMENT)",
      env.VERITY_DEPLOYMENT ?? "deployments/localhost.json",
    )
    .option(
      "--operator <address>",
      "the registered operator address (env VERITY_NODE_OPERATOR; default: the operator key's address, else the signer's)",
      env.VERITY_NODE_OPERATOR,
    )
    .option("--db <file>", "SQLite state (env VERITY_NODE_DB)", env.VERITY_NODE_DB ?? "node.sqlite")
    .option(
      "--models <dir>",
      "model artifacts with manifest.json (env VERITY_MODELS_DIR)",
      env.VERITY_MODELS_DIR ?? "models",
    )
    .option("--host <host>", "interface to listen on (env VERITY_NODE_HOST)", env.VERITY_NODE_HOST ?? "127.0.0.1")
    .option(
      "--port <port>",
      "port to listen on, 0 for a free one (env VERITY_NODE_PORT)",
      env.VERITY_NODE_PORT ?? "8080",
    )
    .option("--keeper-url <url>", "where the outbox pushes receipts (env VERITY_KEEPER_URL)", env.VERITY_KEEPER_URL)
    .option(
      "--dishonest <share>",
      "TEST MODE: corrupt this share of outputs, 0..1 (env VERITY_NODE_DISHONEST)",
      env.VERITY_NODE_DISHONEST ?? "0",
    )
    .option(
      "--interval <ms>",
      "router and outbox polling interval (env VERITY_INTERVAL_MS)",
      env.VERITY_INTERVAL_MS ?? "1000",
    )
    .option(
      "--confirmations <blocks>",
      "blocks below the head to act on: router assignments, batches used on chain (env VERITY_CONFIRMATIONS)",
      env.VERITY_CONFIRMATIONS ?? "0",
    )
    .option("--no-watch-router", "do not answer on-chain router assignments")
    .option("--log-level <level>", "pino level (env VERITY_LOG_LEVEL)", env.VERITY_LOG_LEVEL ?? "info")
    .addHelpText(
      "after",
      "\nThe signing key never comes from a flag: set VERITY_NODE_KEY, or VERITY_NODE_KEYSTORE and\n" +
        "VERITY_NODE_KEYSTORE_PASSWORD (environment or .env). POST /v1/batches requires the bearer token\n" +
        "VERITY_BATCH_TOKEN when it is set; listening beyond loopback (--host other than 127.0.0.1, ::1 or\n" +
        "localhost) the node refuses to start without one of at least 16 characters. The operator's own key\n" +
        "(VERITY_NODE_OPERATOR_KEY, or VERITY_NODE_OPERATOR_KEYSTORE and VERITY_NODE_OPERATOR_KEYSTORE_PASSWORD) is\n" +
        "optional: with it the node defends its runtime-v2 receipts in the fraud-proof game (moves are sent by the\n" +
        "operator); without it such games are lost by timeout. Stops cleanly on SIGINT or SIGTERM, and when its parent process goes away.",
    )
    .action(async (options) => {
      const signer = await loadSignerAccount(
        {
          privateKey: env.VERITY_NODE_KEY,
          keystoreFile: env.VERITY_NODE_KEYSTORE,
          keystorePassword: env.VERITY_NODE_KEYSTORE_PASSWORD,
        },
        "node signer",
      );
      const operatorKey = {
        privateKey: env.VERITY_NODE_OPERATOR_KEY,
        keystoreFile: env.VERITY_NODE_OPERATOR_KEYSTORE,
        keystorePassword: env.VERITY_NODE_OPERATOR_KEYSTORE_PASSWORD,
      };
      const operatorAccount =
        operatorKey.privateKey || operatorKey.keystoreFile
          ? await loadSignerAccount(operatorKey, "node operator key")
          : undefined;
      const config = parseNodeConfig({
        rpcUrl: resolveServiceRpcUrl(options.rpcUrl, options.deployment),
        deployment: options.deployment,
        operator: options.operator ?? (operatorAccount ?? signer).address,
        db: options.db,
        modelsDir: options.models,
        host: options.host,
        port: options.port,
        keeperUrl: options.keeperUrl || undefined,
        batchToken: env.VERITY_BATCH_TOKEN || undefined,
        confirmations: options.confirmations,
        dishonestShare: options.dishonest,
        pollingIntervalMs: options.interval,
        watchRouter: options.watchRouter,
        logLevel: options.logLevel,
      });
      const deployment = readDeploymentFile(config.deployment);
      await assertServiceChain(config.rpcUrl, config.deployment);
      const logger = pino({ level: config.logLevel });
      if (config.dishonestShare > 0) {
        logger.warn({ share: config.dishonestShare }, "DISHONEST TEST MODE: this share of outputs will be wrong");
      }
      let onSignal: (signal: NodeJS.Signals) => void = () => {};
      const stopped = new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve));
      const signals = ["SIGINT", "SIGTERM"] as const;
      for (const signal of signals) process.once(signal, onSignal);
      const unwatch = stopWhenOrphaned();
      try {
        const service = await startNodeService({
          rpcUrl: config.rpcUrl,
          deployment,
          operator: config.operator as Address,
          signer,
          operatorAccount,
          db: config.db,
          modelsDir: config.modelsDir,
          host: config.host,
          port: config.port,
          keeperUrl: config.keeperUrl,
          batchToken: config.batchToken,
          confirmations: config.confirmations,
          dishonestShare: config.dishonestShare,
          watchRouter: config.watchRouter,
          pollingIntervalMs: config.pollingIntervalMs,
          logger,
        });
        const signal = await stopped;
        logger.info({ signal }, "stopping");
        await service.close();
      } finally {
        unwatch();
        for (const signal of signals) process.removeListener(signal, onSignal);
      }
    });
}
