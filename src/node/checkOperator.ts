import type { Address, Client, Hex } from "viem";
import { getModel } from "../chain/actions/getModel";
import { getNode } from "../chain/actions/getNode";
import { isNodeActive } from "../chain/actions/isNodeActive";
import { ModelStatus, NodeRole } from "../chain/enums.generated";
import { NodeStartupError } from "./errors";
import type { RegisteredModel } from "./loadServedModels";

export interface CheckOperatorParameters {
  publicClient: Client;
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
  const node = await getNode(publicClient, { address: nodeRegistry, node: operator });
  if (!node.registered) {
    throw new NodeStartupError(`Operator ${operator} is not registered in the NodeRegistry at ${nodeRegistry}.`);
  }
  if (node.signer.toLowerCase() !== signer.toLowerCase()) {
    throw new NodeStartupError(
      `The signing key ${signer} is not the registered signer of operator ${operator} (registered: ${node.signer}).`,
    );
  }
  if (node.role !== NodeRole.Inference)
    throw new NodeStartupError(`Operator ${operator} is registered as a verifier, not a node.`);
  const active = await isNodeActive(publicClient, { address: nodeRegistry, node: operator });
  const models: RegisteredModel[] = [];
  for (const modelId of node.models as readonly Hex[]) {
    const model = await getModel(publicClient, { address: modelRegistry, id: modelId });
    models.push({ modelId, runtimeId: model.runtimeId, active: model.status === ModelStatus.Active });
  }
  return { active, models };
}
