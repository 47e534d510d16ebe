import { erc20Abi, type Address, type Hex } from "viem";
import { modelRegistryAbi, nodeRegistryAbi, stakingAbi } from "../chain/abis.generated";
import type { VerityClients } from "../chain/createVerityClients";
import { sendTransaction } from "../chain/sendTransaction";
import type { ModelManifestEntry } from "../models";
import { getOnchainRuntimeId } from "../runtime";

/** On-chain `VerificationMode` values by manifest name. */
const VERIFICATION_MODES = { EXACT: 0, TOLERANCE: 1 } as const;

/** On-chain `NodeRole` values. */
export const NodeRole = { Inference: 0, Verifier: 1 } as const;

const ZERO_ID: Hex = `0x${"00".repeat(32)}`;

/** Registers a bundled model (from `models/manifest.json`) with its verification policy. */
export async function registerManifestModel(
  owner: VerityClients,
  modelRegistry: Address,
  entry: ModelManifestEntry,
): Promise<Hex> {
  const mode = VERIFICATION_MODES[entry.verificationMode];
  await sendTransaction(owner, {
    address: modelRegistry,
    abi: modelRegistryAbi,
    functionName: "registerModel",
    args: [
      {
        id: entry.modelId,
        runtimeId: getOnchainRuntimeId(entry.runtimeId),
        mode,
        tolerance: BigInt(entry.tolerance),
        weightsRoot: entry.modelId,
        previous: ZERO_ID,
        metadataURI: `verity://models/${entry.file}`,
      },
    ],
  });
  return entry.modelId;
}

export interface EnrollmentParameters {
  operator: VerityClients;
  contracts: { token: Address; nodeRegistry: Address; staking: Address };
  signer: Address;
  endpoint: string;
  role: (typeof NodeRole)[keyof typeof NodeRole];
  models: readonly Hex[];
  stake: bigint;
}

/** Registers an operator's node (or verifier) with its signer key and endpoint, then approves and stakes. */
export async function enrollParticipant(parameters: EnrollmentParameters): Promise<void> {
  const { operator, contracts } = parameters;
  await sendTransaction(operator, {
    address: contracts.nodeRegistry,
    abi: nodeRegistryAbi,
    functionName: "registerNode",
    args: [parameters.signer, parameters.endpoint, parameters.role, [...parameters.models]],
  });
  await sendTransaction(operator, {
    address: contracts.token,
    abi: erc20Abi,
    functionName: "approve",
    args: [contracts.staking, parameters.stake],
  });
  await sendTransaction(operator, {
    address: contracts.staking,
    abi: stakingAbi,
    functionName: "stake",
    args: [parameters.stake],
  });
}
