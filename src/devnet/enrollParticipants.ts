import type { Address, Hex } from "viem";
import { enrollNode } from "../chain/actions/enrollNode";
import { registerModel } from "../chain/actions/registerModel";
import type { VerityClients } from "../chain/createVerityClients";
import { NodeRole, VerificationMode } from "../chain/enums.generated";
import { sendContractCall } from "../chain/sendContractCall";
import type { ModelManifestEntry } from "../models";
import { getOnchainRuntimeId } from "../runtime";

export { NodeRole };

const ZERO_ID: Hex = `0x${"00".repeat(32)}`;

/**
 * Registers a bundled model (from `models/manifest.json`) with its verification policy; a model with a signature
 * document is registered with its address as the metadata URI, as `verity model register` does.
 */
export async function registerManifestModel(
  owner: VerityClients,
  modelRegistry: Address,
  entry: ModelManifestEntry,
): Promise<Hex> {
  await sendContractCall(
    owner,
    registerModel({
      address: modelRegistry,
      registration: {
        id: entry.modelId,
        runtimeId: getOnchainRuntimeId(entry.runtimeId),
        mode: VerificationMode[entry.verificationMode],
        tolerance: BigInt(entry.tolerance),
        weightsRoot: entry.modelId,
        previous: ZERO_ID,
        metadataURI: entry.signature ?? `verity://models/${entry.file}`,
      },
    }),
  );
  return entry.modelId;
}

export interface EnrollmentParameters {
  operator: VerityClients;
  contracts: { token: Address; nodeRegistry: Address; staking: Address };
  signer: Address;
  endpoint: string;
  role: NodeRole;
  models: readonly Hex[];
  stake: bigint;
}

/** Registers an operator's node (or verifier) with its signer key and endpoint, then approves and stakes. */
export async function enrollParticipant(parameters: EnrollmentParameters): Promise<void> {
  const { operator, ...enrollment } = parameters;
  await enrollNode(operator, enrollment);
}
