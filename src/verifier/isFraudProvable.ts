import type { Hex } from "viem";
import { getModel } from "../chain/actions/getModel";
import { ModelStatus, VerificationMode } from "../chain/enums.generated";
import { getOnchainRuntimeId } from "../runtime";
import { INTEGER_V2_RUNTIME_ID } from "../runtime/integerV2";
import type { VerifierContext } from "./context";

const V2_RUNTIME = getOnchainRuntimeId(INTEGER_V2_RUNTIME_ID);

/**
 * Whether this verifier challenges receipts of `modelId` in the fraud-proof game: the model is registered EXACT on
 * runtime `verity-int8-v2` and the deployment has a fraud game.
 */
export async function isFraudProvable(context: VerifierContext, modelId: Hex): Promise<boolean> {
  if (!context.addresses.fraudGame) return false;
  let byModel = known.get(context);
  if (!byModel) known.set(context, (byModel = new Map()));
  const cached = byModel.get(modelId.toLowerCase());
  if (cached !== undefined) return cached;
  const model = await getModel(context.clients.publicClient, { address: context.addresses.modelRegistry, id: modelId });
  // Mode and runtime are fixed at registration; an unregistered model is asked again next time.
  const provable = model.mode === VerificationMode.EXACT && model.runtimeId.toLowerCase() === V2_RUNTIME;
  if (model.status !== ModelStatus.None) byModel.set(modelId.toLowerCase(), provable);
  return provable;
}

/** Answers by model id, per verifier context. */
const known = new WeakMap<VerifierContext, Map<string, boolean>>();
