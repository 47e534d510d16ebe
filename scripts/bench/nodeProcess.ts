/**
 * A node service in its own process, for the node and system benchmarks (its CPU time and RSS are then its own):
 * `node -r ts-node/register/transpile-only nodeProcess.ts <config json>`. Prints "ready <url>" once it listens;
 * exits on SIGTERM.
 */
import pino from "pino";
import type { Address, Hex } from "viem";
import { readDeploymentFile } from "../../src/chain/deployment";
import { startNodeService } from "../../src/node/startNodeService";
import { createSignerAccount } from "../../src/protocol";

/** What the parent passes (JSON in argv[2]). */
export interface NodeProcessConfig {
  rpcUrl: string;
  /** Path of the deployment record. */
  deployment: string;
  operator: Address;
  signerKey: Hex;
  db: string;
  modelsDir: string;
  port?: number;
  groupCommit: boolean;
  /** `POST /v1/infer` on the native fast path (default true; false: through the Hono app). */
  nativeInfer?: boolean;
  /** Group commits fsync the WAL off the event loop (default true). */
  backgroundSync?: boolean;
  keeperUrl?: string;
  batchToken?: string;
  pollingIntervalMs?: number;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]!) as NodeProcessConfig;
  const node = await startNodeService({
    rpcUrl: config.rpcUrl,
    deployment: readDeploymentFile(config.deployment),
    operator: config.operator,
    // As `verity node serve` loads a key (loadSignerAccount): libsecp256k1 signing when it loads.
    signer: createSignerAccount(config.signerKey),
    db: config.db,
    modelsDir: config.modelsDir,
    port: config.port ?? 0,
    groupCommit: config.groupCommit,
    nativeInfer: config.nativeInfer ?? true,
    backgroundSync: config.backgroundSync ?? true,
    keeperUrl: config.keeperUrl,
    batchToken: config.batchToken,
    watchRouter: false,
    pollingIntervalMs: config.pollingIntervalMs ?? 1_000,
    logger: pino({ level: process.env.VERITY_LOG_LEVEL ?? "silent" }, pino.destination(2)),
  });
  process.stdout.write(`ready ${node.url}\n`);
  process.once("SIGTERM", () => void node.close().then(() => process.exit(0)));
}

void main();
