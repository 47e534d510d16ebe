/**
 * A keeper in its own process, for the ingestion benchmark (its CPU time is then its own):
 * `node -r ts-node/register/transpile-only keeperProcess.ts <config json>`. Prints "ready <url>" once it listens;
 * exits on SIGTERM. VERITY_SECP256K1=noble in its environment makes it recover with viem (the baseline).
 */
import pino from "pino";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { readDeploymentFile } from "../../src/chain/deployment";
import { startKeeper } from "../../src/keeper/startKeeper";

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]!) as {
    rpcUrl: string;
    deployment: string;
    db: string;
    key: Hex;
    ingestWorkers: number;
    /** Group commits fsync off the event loop (default true). */
    backgroundSync?: boolean;
    /** Batching (the system benchmark); without them nothing is batched while the ingestion benchmark runs. */
    maxBatchSize?: number;
    maxBatchAgeMs?: number;
    batchToken?: string;
    pollingIntervalMs?: number;
  };
  const keeper = await startKeeper({
    rpcUrl: config.rpcUrl,
    deployment: readDeploymentFile(config.deployment),
    account: privateKeyToAccount(config.key),
    db: config.db,
    ingestWorkers: config.ingestWorkers,
    backgroundSync: config.backgroundSync ?? true,
    // Ingestion alone (the defaults): nothing is batched while the benchmark runs.
    maxBatchSize: config.maxBatchSize ?? 1_000_000,
    maxBatchAgeMs: config.maxBatchAgeMs ?? 3_600_000,
    batchToken: config.batchToken,
    ...(config.pollingIntervalMs === undefined ? {} : { pollingIntervalMs: config.pollingIntervalMs }),
    settle: false,
    maxPendingReceipts: 1_000_000,
    logger: pino({ level: process.env.VERITY_LOG_LEVEL ?? "silent" }, pino.destination(2)),
  });
  process.stdout.write(`ready ${keeper.url}\n`);
  process.once("SIGTERM", () => void keeper.close().then(() => process.exit(0)));
}

void main();
