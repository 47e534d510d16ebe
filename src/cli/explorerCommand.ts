import type { Command } from "commander";
import pino from "pino";
import { readDeploymentFile } from "../chain/deployment";
import { parseExplorerConfig } from "../config/explorerConfig";
import { startExplorer } from "../explorer/startExplorer";
import { createOutput } from "./output";

/** `verity explorer`: index a deployment's events into SQLite and serve the explorer (pages, JSON API, live updates). */
export function addExplorerCommand(program: Command): void {
  const env = process.env;
  program
    .command("explorer")
    .description("index every Verity event into SQLite and serve the explorer: web pages, JSON API, live updates")
    .option("--rpc-url <url>", "JSON-RPC node (env VERITY_RPC_URL)", env.VERITY_RPC_URL ?? "http://127.0.0.1:8545")
    .option(
      "--deployment <file>",
      "deployment address file (env VERITY_DEPLOYMENT)",
      env.VERITY_DEPLOYMENT ?? "deployments/localhost.json",
    )
    .option(
      "--db <file>",
      "SQLite index, resumed when it exists (env VERITY_EXPLORER_DB)",
      env.VERITY_EXPLORER_DB ?? "explorer.sqlite",
    )
    .option("--host <host>", "address to listen on", env.VERITY_EXPLORER_HOST ?? "127.0.0.1")
    .option("--port <port>", "port to listen on (0: any free port)", env.VERITY_EXPLORER_PORT ?? "4000")
    .option(
      "--content-dir <dir>",
      "local batch files, searched before node endpoints (env VERITY_CONTENT_DIR)",
      env.VERITY_CONTENT_DIR,
    )
    .option(
      "--confirmations <blocks>",
      "index only blocks this deep (reorg safety; use 12 or more on public chains)",
      env.VERITY_CONFIRMATIONS ?? "0",
    )
    .option("--interval <ms>", "pause between indexer steps", env.VERITY_INTERVAL_MS ?? "1000")
    .option("--max-block-range <blocks>", "most blocks per log query", "2000")
    .option("--log-level <level>", "pino level (env VERITY_LOG_LEVEL)", env.VERITY_LOG_LEVEL ?? "info")
    .option("--json", "print the URL and step reports as JSON lines", false)
    .action(async (options) => {
      const config = parseExplorerConfig({
        rpcUrl: options.rpcUrl,
        deployment: options.deployment,
        db: options.db,
        host: options.host,
        port: options.port,
        contentDir: options.contentDir,
        confirmations: options.confirmations,
        intervalMs: options.interval,
        maxBlockRange: options.maxBlockRange,
        logLevel: options.logLevel,
      });
      const output = createOutput(Boolean(options.json));
      const explorer = await startExplorer({
        rpcUrl: config.rpcUrl,
        deployment: readDeploymentFile(config.deployment),
        db: config.db,
        host: config.host,
        port: config.port,
        confirmations: config.confirmations,
        intervalMs: config.intervalMs,
        maxBlockRange: config.maxBlockRange,
        contentDir: config.contentDir,
        logger: pino({ level: config.logLevel }, pino.destination(2)),
        onStep: (report) => {
          if (report.events === 0 && report.batchFiles === 0) return;
          if (output.json) output.record({ ...report });
          else
            output.progress(
              `indexed ${report.events} event(s), ${report.batchFiles} batch file(s); next block ${report.nextBlock}`,
            );
        },
      });
      if (output.json) output.record({ url: explorer.url });
      else process.stdout.write(`Verity explorer: ${explorer.url}\n`);
      await new Promise<void>((resolve) => {
        for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
      });
      await explorer.stop();
    });
}
