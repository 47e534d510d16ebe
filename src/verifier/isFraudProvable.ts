import { zeroAddress, type Hex } from "viem";
import { getFraudJudgeOf } from "../chain/actions/getFraudJudgeOf";
import type { VerifierContext } from "./context";

/**
 * Whether receipts of `modelId` are disputed in this deployment's fraud-proof game: the attestation registry names the
 * game as the model's judge (the one rule the registry itself enforces, so the committee would refuse them).
 */
export async function isFraudProvable(context: VerifierContext, modelId: Hex): Promise<boolean> {
  const game = context.addresses.fraudGame;
  if (!game) return false;
  let byModel = known.get(context);
  if (!byModel) known.set(context, (byModel = new Map()));
  const cached = byModel.get(modelId.toLowerCase());
  if (cached !== undefined) return cached;
  const judge = await getFraudJudgeOf(context.clients.publicClient, {
    address: context.addresses.attestationRegistry,
    model: modelId,
  });
  // The judge follows the model's registration (fixed) unless governance changes it: kept for this process.
  const provable = judge !== zeroAddress && judge.toLowerCase() === game.toLowerCase();
  byModel.set(modelId.toLowerCase(), provable);
  return provable;
}

/** Answers by model id, per verifier context. */
const known = new WeakMap<VerifierContext, Map<string, boolean>>();
