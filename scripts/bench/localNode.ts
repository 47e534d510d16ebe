import path from "node:path";
import { parseEther, type Address, type Hex } from "viem";
import { NodeRole, enrollParticipant, registerManifestModel } from "../../src/devnet/enrollParticipants";
import type { LocalSystem } from "../../src/devnet/startLocalSystem";
import { readModelManifest } from "../../src/models";

/** The repository's bundled models directory. */
export const MODELS_DIR = path.resolve(__dirname, "..", "..", "models");

/** Registers the bundled integer Iris model (EXACT) from the owner account; returns its id. */
export async function registerBundledModel(system: LocalSystem): Promise<Hex> {
  const entry = readModelManifest(MODELS_DIR).models.find((m) => m.runtimeId === "verity-int8-v1")!;
  return registerManifestModel(system.clients(0), system.addresses.modelRegistry!, entry);
}

/** Registers development account `operator` as an inference node with signer account `signer`, and stakes it. */
export async function registerInferenceNode(
  system: LocalSystem,
  parameters: { operator: number; signer: number; endpoint: string; models: Hex[]; stake?: bigint },
): Promise<{ node: Address; signer: Address }> {
  const signer = system.account(parameters.signer).address;
  await enrollParticipant({
    operator: system.clients(parameters.operator),
    contracts: {
      token: system.addresses.token!,
      nodeRegistry: system.addresses.nodeRegistry!,
      staking: system.addresses.staking!,
    },
    signer,
    endpoint: parameters.endpoint,
    role: NodeRole.Inference,
    models: parameters.models,
    stake: parameters.stake ?? parseEther("1000"),
  });
  return { node: system.account(parameters.operator).address, signer };
}
