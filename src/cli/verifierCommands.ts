import type { Command } from "commander";
import { readDeploymentFile } from "../chain/deployment";
import { parseVerifierConfig } from "../config/verifierConfig";
import { createVerifierContext, runVerifier } from "../verifier/startVerifier";
import { serveVerifierHealth, type VerifierHealthState } from "../verifier/serveVerifierHealth";
import { VerdictStore } from "../verifier/VerdictStore";
import { parseInteger } from "./options";
import { stopWhenOrphaned } from "./stopWhenOrphaned";
import { createOutput } from "./output";
import { SERVICE_RPC_URL_HELP, assertServiceChain, resolveServiceRpcUrl } from "./resolveServiceRpcUrl";

/** `verity verifier run|status`. */
export function addVerifierCommands(program: Command): void {
  const verifier = program.command("verifier").description("audit attested receipts, challenge wrong ones, vote");
  const env = process.env;

  verifier
    .command("run")
    .description("follow the chain, replay receipts, challenge wrong results and serve on committees")
    .option("--rpc-url <url>", SERVICE_RPC_URL_HELP)
    .option(
      "--deployment <file>",
      "deployment address file (env VERITY_DEPLOYMENT)",
      env.VERITY_DEPLOYMENT ?? "deployments/localhost.json",
    )
    .option("--db <file>", "SQLite state (env VERITY_VERIFIER_DB)", env.VERITY_VERIFIER_DB ?? "verifier.sqlite")
    .option("--content-dir <dir>", "local batch files and tensors (env VERITY_CONTENT_DIR)", env.VERITY_CONTENT_DIR)
    .option(
      "--models <dir>",
      "model artifacts with manifest.json (env VERITY_MODELS_DIR)",
      env.VERITY_MODELS_DIR ?? "models",
    )
    .option(
      "--audit-share <fraction>",
      "share of receipts to replay, 0..1 (env VERITY_AUDIT_SHARE)",
      env.VERITY_AUDIT_SHARE ?? "1",
    )
    .option(
      "--confirmations <blocks>",
      "blocks below the head to read events and trust transactions at (env VERITY_CONFIRMATIONS)",
      env.VERITY_CONFIRMATIONS ?? "0",
    )
    .option("--interval <ms>", "pause between steps", env.VERITY_INTERVAL_MS ?? "2000")
    .option("--max-block-range <blocks>", "most blocks per log query", "2000")
    .option("--no-challenge", "record verdicts but never open challenges")
    .option("--once", "run one step and exit (no health route)", false)
    .option(
      "--host <host>",
      "interface of GET /health (env VERITY_VERIFIER_HOST)",
      env.VERITY_VERIFIER_HOST ?? "127.0.0.1",
    )
    .option(
      "--port <port>",
      "port of GET /health, 0 for a free one (env VERITY_VERIFIER_PORT)",
      env.VERITY_VERIFIER_PORT ?? "8548",
    )
    .option("--log-level <level>", "pino level (env VERITY_LOG_LEVEL)", env.VERITY_LOG_LEVEL ?? "info")
    .option("--json", "print step reports as JSON lines", false)
    .addHelpText(
      "after",
      "\nThe signing key never comes from a flag: set VERITY_VERIFIER_KEY, or VERITY_VERIFIER_KEYSTORE and\n" +
        "VERITY_VERIFIER_KEYSTORE_PASSWORD (environment or .env).",
    )
    .action(async (options) => {
      const config = parseVerifierConfig({
        rpcUrl: resolveServiceRpcUrl(options.rpcUrl, options.deployment),
        deployment: options.deployment,
        db: options.db,
        contentDir: options.contentDir,
        modelsDir: options.models,
        auditShare: options.auditShare,
        confirmations: options.confirmations,
        intervalMs: options.interval,
        maxBlockRange: options.maxBlockRange,
        challenge: options.challenge,
        once: options.once,
        logLevel: options.logLevel,
      });
      await assertServiceChain(config.rpcUrl, config.deployment);
      const context = await createVerifierContext(config, {
        privateKey: env.VERITY_VERIFIER_KEY,
        keystoreFile: env.VERITY_VERIFIER_KEYSTORE,
        keystorePassword: env.VERITY_VERIFIER_KEYSTORE_PASSWORD,
      });
      const output = createOutput(Boolean(options.json));
      const controller = new AbortController();
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => controller.abort());
      const unwatch = config.once ? () => {} : stopWhenOrphaned();
      const startBlock = BigInt(readDeploymentFile(config.deployment).startBlock);
      const health: VerifierHealthState = { lastProgressAt: Date.now(), lastError: undefined };
      const port = parseInteger(options.port, "--port", 0, 65_535);
      const listener = config.once
        ? undefined
        : await serveVerifierHealth(context, health, { host: options.host, port });
      if (listener) context.logger.info({ url: `${listener.url}/health` }, "verifier health listening");
      try {
        await runVerifier(
          context,
          startBlock,
          {
            intervalMs: config.intervalMs,
            once: config.once,
            signal: controller.signal,
            onError: (message) => (health.lastError = message),
          },
          (report) => {
            health.lastProgressAt = Date.now();
            health.lastError = undefined;
            if (output.json) output.line({ ...report });
            else output.progress(formatReport(report));
          },
        );
      } finally {
        unwatch();
        await listener?.close({ dropConnections: true });
        context.store.close();
      }
    });

  verifier
    .command("status")
    .description("show the verdicts and challenges recorded in a verifier's database")
    .option("--db <file>", "SQLite state (env VERITY_VERIFIER_DB)", env.VERITY_VERIFIER_DB ?? "verifier.sqlite")
    .option("--json", "machine-readable output", false)
    .action((options) => {
      const store = new VerdictStore(options.db, { mustExist: true });
      const output = createOutput(Boolean(options.json));
      const verdicts = store.verdicts();
      const counts: Record<string, number> = {};
      for (const verdict of verdicts) counts[verdict.verdict] = (counts[verdict.verdict] ?? 0) + 1;
      if (output.json) {
        output.record({ cursor: store.cursor(), verdicts: counts, challenges: store.challenges() });
      } else {
        output.record({ "next block": store.cursor() ?? "(not started)", ...counts });
        output.table(
          store
            .challenges()
            .map((c) => ({ receipt: c.receiptHash, state: c.state, dispute: c.disputeId, error: c.error })),
          ["receipt", "state", "dispute", "error"],
        );
      }
      store.close();
    });
}

function formatReport(report: object): string {
  return Object.entries(report)
    .map(([key, value]) => `${key}=${value}`)
    .join(" ");
}
