/**
 * A keeper in a child process, for the crash test: `node -r ts-node/register/transpile-only keeperChild.ts <config
 * json>`. Prints "ready <url>" once it listens. The key comes from VERITY_KEEPER_KEY, as for `verity keeper run`.
 */
import pino from "pino";
import { readDeploymentFile } from "../../src/chain/deployment";
import { loadSignerAccount } from "../../src/config/loadSignerAccount";
import { startKeeper } from "../../src/keeper/startKeeper";

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]!) as {
    rpcUrl: string;
    deployment: string;
    db: string;
    port: number;
    nodeEndpoints: Record<`0x${string}`, string>;
    batchToken: string;
    maxBatchSize: number;
    maxBatchAgeMs: number;
  };
  const account = await loadSignerAccount({ privateKey: process.env.VERITY_KEEPER_KEY }, "keeper key");
  const keeper = await startKeeper({
    rpcUrl: config.rpcUrl,
    deployment: readDeploymentFile(config.deployment),
    account,
    db: config.db,
    port: config.port,
    nodeEndpoints: config.nodeEndpoints,
    batchToken: config.batchToken,
    maxBatchSize: config.maxBatchSize,
    maxBatchAgeMs: config.maxBatchAgeMs,
    pollingIntervalMs: 20,
    replaceAfterMs: 5_000,
    logger: pino({ level: process.env.VERITY_TEST_LOG ?? "silent" }, pino.destination(2)),
  });
  process.stdout.write(`ready ${keeper.url}\n`);
  process.once("SIGTERM", () => void keeper.close().then(() => process.exit(0)));
}

void main();
