/**
 * A verifier in its own process, for the system benchmark: `node -r ts-node/register/transpile-only
 * verifierProcess.ts <config json>`. Follows the chain from `startBlock`, checks every batch (file hash, tree, batch
 * signature) and replays `auditShare` of the receipts; records verdicts only (no challenges). Prints "ready" at once;
 * exits on SIGTERM.
 */
import path from "node:path";
import pino from "pino";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createVerityClients } from "../../src/chain/createVerityClients";
import { readDeploymentFile } from "../../src/chain/deployment";
import { createIntegerRuntime, createOnnxRuntime } from "../../src/runtime";
import { ModelCatalog } from "../../src/verifier/ModelCatalog";
import { runVerifier } from "../../src/verifier/startVerifier";
import { VerdictStore } from "../../src/verifier/VerdictStore";

/** What the parent passes (JSON in argv[2]). */
export interface VerifierProcessConfig {
  rpcUrl: string;
  deployment: string;
  key: Hex;
  db: string;
  modelsDir: string;
  auditShare: number;
  startBlock: number;
  intervalMs?: number;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]!) as VerifierProcessConfig;
  const deployment = readDeploymentFile(config.deployment);
  const account = privateKeyToAccount(config.key);
  const store = new VerdictStore(config.db);
  const controller = new AbortController();
  const running = runVerifier(
    {
      clients: createVerityClients({ rpcUrl: config.rpcUrl, chainId: deployment.chainId, account }),
      chainId: deployment.chainId,
      addresses: deployment.contracts,
      store,
      catalog: new ModelCatalog([createIntegerRuntime(), createOnnxRuntime()], [path.resolve(config.modelsDir)]),
      logger: pino({ level: process.env.VERITY_LOG_LEVEL ?? "silent" }, pino.destination(2)),
      contentDir: undefined,
      auditShare: config.auditShare,
      confirmations: 0n,
      maxBlockRange: 1_000n,
      beneficiary: account.address,
      challenge: false,
    },
    BigInt(config.startBlock),
    { intervalMs: config.intervalMs ?? 250, once: false, signal: controller.signal },
  );
  process.stdout.write("ready -\n");
  process.once("SIGTERM", () => {
    controller.abort();
    void running.then(() => {
      store.close();
      process.exit(0);
    });
  });
}

void main();
