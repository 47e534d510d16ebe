import type { Command } from "commander";
import { stopWhenOrphaned } from "./stopWhenOrphaned";
import pino from "pino";
import { readDeploymentFile } from "../chain/deployment";
import { parseKeeperConfig, parseNodeEndpoints } from "../config/keeperConfig";
import { loadSignerAccount } from "../config/loadSignerAccount";
import { KeeperStore } from "../keeper/KeeperStore";
import { startKeeper } from "../keeper/startKeeper";
import { createOutput } from "./output";
import { SERVICE_RPC_URL_HELP, assertServiceChain, resolveServiceRpcUrl } from "./resolveServiceRpcUrl";

const collect = (value: string, previous: string[]) => [...previous, value];

/** `verity keeper run|status`. */
export function addKeeperCommands(program: Command): void {
  const keeper = program.command("keeper").description("batch signed receipts on chain; fulfil and settle requests");
  const env = process.env;

  keeper
    .command("run")
    .description("take receipts over HTTP, batch them, have nodes sign, submit, confirm; settle router requests")
    .option("--rpc-url <url>", SERVICE_RPC_URL_HELP)
    .option(
      "--deployment <file>",
      "deployment address file (env VERITY_DEPLOYMENT)",
      env.VERITY_DEPLOYMENT ?? "deployments/localhost.json",
    )
    .option("--db <file>", "SQLite state (env VERITY_KEEPER_DB)", env.VERITY_KEEPER_DB ?? "keeper.sqlite")
    .option("--host <host>", "HTTP host (env VERITY_KEEPER_HOST)", env.VERITY_KEEPER_HOST ?? "127.0.0.1")
    .option("--port <port>", "HTTP port, 0 for any (env VERITY_KEEPER_PORT)", env.VERITY_KEEPER_PORT ?? "8547")
    .option("--max-batch-size <n>", "most receipts per batch", env.VERITY_MAX_BATCH_SIZE ?? "1024")
    .option(
      "--max-batch-age <ms>",
      "oldest a queued receipt gets before its batch goes",
      env.VERITY_MAX_BATCH_AGE_MS ?? "30000",
    )
    .option("--interval <ms>", "idle pause of the work loop and transaction polling", env.VERITY_INTERVAL_MS ?? "500")
    .option("--replace-after <ms>", "replace an unmined transaction at higher fees after", "60000")
    .option(
      "--confirmations <blocks>",
      "blocks a transaction or state must be below the head before it counts (env VERITY_CONFIRMATIONS)",
      env.VERITY_CONFIRMATIONS ?? "0",
    )
    .option("--node <operator=url>", "endpoint of a node, overriding NodeRegistry (repeatable)", collect, [])
    .option("--no-settle", "do not fulfil, settle, reassign or refund router requests")
    .option(
      "--no-validator-updates",
      "do not push ERC-8004 answers (VerityValidator) for requests about receipts this keeper attested",
    )
    .option("--no-sweep-jails", "do not clear the stale sortition weight of jailed nodes (syncWeight)")
    .option("--log-level <level>", "pino level (env VERITY_LOG_LEVEL)", env.VERITY_LOG_LEVEL ?? "info")
    .option("--json", "print the start line as JSON", false)
    .addHelpText(
      "after",
      "\nThe key never comes from a flag: set VERITY_KEEPER_KEY, or VERITY_KEEPER_KEYSTORE and\n" +
        "VERITY_KEEPER_KEYSTORE_PASSWORD (environment or .env). The nodes' batch token: VERITY_BATCH_TOKEN.",
    )
    .action(async (options) => {
      const config = parseKeeperConfig({
        rpcUrl: resolveServiceRpcUrl(options.rpcUrl, options.deployment),
        deployment: options.deployment,
        db: options.db,
        host: options.host,
        port: options.port,
        maxBatchSize: options.maxBatchSize,
        maxBatchAgeMs: options.maxBatchAge,
        intervalMs: options.interval,
        replaceAfterMs: options.replaceAfter,
        confirmations: options.confirmations,
        nodes: options.node,
        batchToken: env.VERITY_BATCH_TOKEN,
        settle: options.settle,
        validatorUpdates: options.validatorUpdates,
        sweepJails: options.sweepJails,
        logLevel: options.logLevel,
      });
      const account = await loadSignerAccount(
        {
          privateKey: env.VERITY_KEEPER_KEY,
          keystoreFile: env.VERITY_KEEPER_KEYSTORE,
          keystorePassword: env.VERITY_KEEPER_KEYSTORE_PASSWORD,
        },
        "keeper key",
      );
      const output = createOutput(Boolean(options.json));
      await assertServiceChain(config.rpcUrl, config.deployment);
      const running = await startKeeper({
        rpcUrl: config.rpcUrl,
        deployment: readDeploymentFile(config.deployment),
        account,
        db: config.db,
        host: config.host,
        port: config.port,
        maxBatchSize: config.maxBatchSize,
        maxBatchAgeMs: config.maxBatchAgeMs,
        pollingIntervalMs: config.intervalMs,
        replaceAfterMs: config.replaceAfterMs,
        confirmations: config.confirmations,
        nodeEndpoints: parseNodeEndpoints(config.nodes),
        batchToken: config.batchToken,
        settle: config.settle,
        validatorUpdates: config.validatorUpdates,
        sweepJails: config.sweepJails,
        logger: pino({ name: "keeper", level: config.logLevel }, pino.destination(2)),
      });
      if (output.json) output.line({ url: running.url, account: account.address });
      else output.progress(`keeper listening on ${running.url} (account ${account.address})`);
      const unwatch = stopWhenOrphaned();
      await new Promise<void>((resolve) => {
        for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
      });
      unwatch();
      output.progress("stopping: finishing the step in progress");
      await running.close();
    });

  keeper
    .command("status")
    .description("show the queue, batches and router work recorded in a keeper's database")
    .option("--db <file>", "SQLite state (env VERITY_KEEPER_DB)", env.VERITY_KEEPER_DB ?? "keeper.sqlite")
    .option("--batches <n>", "most recent batches to list", "10")
    .option("--json", "machine-readable output", false)
    .action((options) => {
      const store = new KeeperStore(options.db, { mustExist: true });
      const output = createOutput(Boolean(options.json));
      try {
        const batches = store.batchStats();
        const recent = store.recentBatches(Number(options.batches)).map((b) => ({
          id: b.id,
          node: b.node,
          sequence: b.sequence,
          count: b.count,
          state: b.state,
          root: b.root,
          tx: b.txHashes[b.txHashes.length - 1] ?? null,
          gasUsed: b.gasUsed,
          error: b.error,
        }));
        const router = store.taskStats();
        if (output.json) {
          output.record({ queued: store.queuedCount(), batches, router, recent });
        } else {
          output.record({
            "receipts queued": store.queuedCount(),
            ...Object.fromEntries(batches.map((b) => [`batches ${b.state}`, `${b.batches} (${b.receipts} receipts)`])),
            ...Object.fromEntries(
              router.map((t) => [
                `router ${t.state}${t.outcome ? ` ${t.outcome}` : ""}${t.fulfilled ? " fulfilled" : ""}`,
                t.tasks,
              ]),
            ),
          });
          output.table(recent, ["id", "node", "sequence", "count", "state", "tx", "gasUsed", "error"]);
        }
      } finally {
        store.close();
      }
    });
}
