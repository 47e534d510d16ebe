import type { Hex } from "viem";
import { getModel } from "../chain/actions/getModel";
import { VerificationMode } from "../chain/enums.generated";
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
  const model = await getModel(context.clients.publicClient, { address: context.addresses.modelRegistry, id: modelId });
  return model.mode === VerificationMode.EXACT && model.runtimeId.toLowerCase() === V2_RUNTIME;
}
