import type { Address, Hex, PublicClient } from "viem";
import { modelRegistryAbi, nodeRegistryAbi } from "../chain/abis.generated";
import { NodeStartupError } from "./errors";
import type { RegisteredModel } from "./loadServedModels";

export interface CheckOperatorParameters {
  publicClient: PublicClient;
  nodeRegistry: Address;
  modelRegistry: Address;
  operator: Address;
  signer: Address;
}

export interface CheckOperatorReturnType {
  /** Registered, not jailed, with stake (NodeRegistry `isActive`). */
  active: boolean;
  models: RegisteredModel[];
}

/**
 * Checks on chain that `signer` is the registered signer key of `operator` and reads the models the operator
 * registered (with their runtime and status). Throws {@link NodeStartupError} saying what is wrong.
 */
export async function checkOperator({
  publicClient,
  nodeRegistry,
  modelRegistry,
  operator,
  signer,
}: CheckOperatorParameters): Promise<CheckOperatorReturnType> {
  const node = await publicClient.readContract({
    address: nodeRegistry,
    abi: nodeRegistryAbi,
    functionName: "getNode",
    args: [operator],
  });
  if (!node.registered) {
    throw new NodeStartupError(`Operator ${operator} is not registered in the NodeRegistry at ${nodeRegistry}.`);
  }
  if (node.signer.toLowerCase() !== signer.toLowerCase()) {
    throw new NodeStartupError(
      `The signing key ${signer} is not the registered signer of operator ${operator} (registered: ${node.signer}).`,
    );
  }
  if (node.role !== 0) throw new NodeStartupError(`Operator ${operator} is registered as a verifier, not a node.`);
  const active = await publicClient.readContract({
    address: nodeRegistry,
    abi: nodeRegistryAbi,
    functionName: "isActive",
    args: [operator],
  });
  const models: RegisteredModel[] = [];
  for (const modelId of node.models as readonly Hex[]) {
    const model = await publicClient.readContract({
      address: modelRegistry,
      abi: modelRegistryAbi,
      functionName: "getModel",
      args: [modelId],
    });
    models.push({ modelId, runtimeId: model.runtimeId, active: model.status === 1 });
  }
  return { active, models };
}
