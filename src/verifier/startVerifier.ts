import pino from "pino";
import { createVerityClients } from "../chain/createVerityClients";
import { readDeploymentFile } from "../chain/deployment";
import { ConfigError } from "../config/ConfigError";
import { loadSignerAccount, type SignerSource } from "../config/loadSignerAccount";
import type { VerifierConfig } from "../config/verifierConfig";
import { getErrorMessage } from "../protocol";
import { createIntegerRuntime, createOnnxRuntime } from "../runtime";
import { sleep } from "../service/backoff";
import type { VerifierContext } from "./context";
import { ModelCatalog } from "./ModelCatalog";
import { runVerifierStep, type VerifierStepReport } from "./runVerifierStep";
import { VerdictStore } from "./VerdictStore";

/** Builds the verifier's context from validated settings: deployment file, chain clients, store, models, logger. */
export async function createVerifierContext(config: VerifierConfig, key: SignerSource): Promise<VerifierContext> {
  const deployment = readDeploymentFile(config.deployment);
  const account = await loadSignerAccount(key, "verifier key");
  const clients = createVerityClients({ rpcUrl: config.rpcUrl, chainId: deployment.chainId, account });
  const chainId = await clients.publicClient.getChainId();
  if (chainId !== deployment.chainId) {
    throw new ConfigError(`RPC ${config.rpcUrl} is chain ${chainId}, the deployment file is for ${deployment.chainId}`);
  }
  return {
    clients,
    chainId,
    addresses: deployment.contracts,
    store: new VerdictStore(config.db),
    catalog: new ModelCatalog([createIntegerRuntime(), createOnnxRuntime()], [config.modelsDir]),
    logger: pino({ level: config.logLevel }, pino.destination(2)),
    contentDir: config.contentDir,
    auditShare: config.auditShare,
    confirmations: BigInt(config.confirmations),
    maxBlockRange: BigInt(config.maxBlockRange),
    beneficiary: account.address,
    challenge: config.challenge,
  };
}

/**
 * Runs the verifier until `signal` aborts (or once): one step per interval. RPC failures are logged and retried at
 * the next interval; nothing is lost, since every step resumes from the store.
 */
export async function runVerifier(
  context: VerifierContext,
  startBlock: bigint,
  options: { intervalMs: number; once: boolean; signal?: AbortSignal; onError?: (message: string) => void },
  onStep: (report: VerifierStepReport) => void = () => {},
): Promise<void> {
  for (;;) {
    try {
      onStep(await runVerifierStep(context, startBlock));
    } catch (error) {
      if (options.once) throw error;
      const message = getErrorMessage(error).split("\n")[0]!;
      options.onError?.(message);
      context.logger.error({ error: message }, "verifier step failed; retrying");
    }
    if (options.once || options.signal?.aborted) return;
    await sleep(options.intervalMs, options.signal);
    if (options.signal?.aborted) return;
  }
}
