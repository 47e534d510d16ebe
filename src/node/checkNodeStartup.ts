import type { RegisteredModel } from "./loadServedModels";
import type { PublicClient } from "viem";
import { createVerityClients } from "../chain/createVerityClients";
import { checkBatchTokenExposure } from "../config/checkBatchTokenExposure";
import { ConfigError } from "../config/ConfigError";
import { checkOperator } from "./checkOperator";
import { NodeStartupError } from "./errors";
import type { NodeServiceOptions } from "./startNodeService";

/** What a node learned while checking it may start. */
export interface NodeStartup {
  publicClient: PublicClient;
  chainId: number;
  /** Whether the operator is active now (it serves anyway when not). */
  active: boolean;
  /** The model ids the operator registered to serve. */
  registeredModels: RegisteredModel[];
}

/**
 * The checks before a node serves anything: its settings (dishonest share, batch token beyond loopback,
 * confirmations), the chain (reachable, the deployment's chain id), the operator (the signer key is its registered
 * signer; an operator key, if given, is the operator's). Throws {@link ConfigError} or {@link NodeStartupError} with
 * what to fix.
 */
export async function checkNodeStartup(options: NodeServiceOptions): Promise<NodeStartup> {
  const dishonestShare = options.dishonestShare ?? 0;
  if (!(dishonestShare >= 0 && dishonestShare <= 1)) {
    throw new NodeStartupError(`dishonestShare must be within [0, 1], got ${dishonestShare}.`);
  }
  const exposure = checkBatchTokenExposure(options.host ?? "127.0.0.1", options.batchToken);
  if (exposure) throw new ConfigError(`invalid node configuration: batchToken: ${exposure}`);
  if ((options.confirmations ?? 0) < 0) {
    throw new ConfigError(`invalid node configuration: confirmations: must be 0 or more`);
  }
  const { deployment } = options;
  const { publicClient } = createVerityClients({
    rpcUrl: options.rpcUrl,
    chainId: deployment.chainId,
    pollingInterval: options.pollingIntervalMs ?? 1_000,
  });
  let chainId: number;
  try {
    chainId = await publicClient.getChainId();
  } catch (cause) {
    throw new NodeStartupError(`Cannot reach the chain at ${options.rpcUrl}.`, { cause });
  }
  if (chainId !== deployment.chainId) {
    throw new NodeStartupError(
      `The chain at ${options.rpcUrl} has id ${chainId}, the deployment is for ${deployment.chainId}.`,
    );
  }
  const operatorState = await checkOperator({
    publicClient,
    nodeRegistry: deployment.contracts.nodeRegistry,
    modelRegistry: deployment.contracts.modelRegistry,
    operator: options.operator,
    signer: options.signer.address,
  });
  if (options.operatorAccount && options.operatorAccount.address.toLowerCase() !== options.operator.toLowerCase()) {
    throw new NodeStartupError(
      `The operator key is for ${options.operatorAccount.address}, the operator is ${options.operator}.`,
    );
  }
  return { publicClient, chainId, active: operatorState.active, registeredModels: operatorState.models };
}
