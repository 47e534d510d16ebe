import path from "node:path";
import { erc20Abi, parseEther, type Address, type Hex } from "viem";
import { modelRegistryAbi, nodeRegistryAbi, stakingAbi } from "../../src/chain/abis.generated";
import { sendTransaction } from "../../src/chain/sendTransaction";
import type { LocalSystem } from "../../src/demo/startLocalSystem";
import { readModelManifest } from "../../src/models";
import { getOnchainRuntimeId } from "../../src/runtime";

/** The repository's bundled models directory. */
export const MODELS_DIR = path.resolve(__dirname, "..", "..", "models");

/** Registers the bundled integer Iris model (EXACT) from the owner account; returns its id. */
export async function registerBundledModel(system: LocalSystem): Promise<Hex> {
  const entry = readModelManifest(MODELS_DIR).models.find((m) => m.runtimeId === "verity-int8-v1")!;
  await sendTransaction(system.clients(0), {
    address: system.addresses.modelRegistry!,
    abi: modelRegistryAbi,
    functionName: "registerModel",
    args: [
      {
        id: entry.modelId as Hex,
        runtimeId: getOnchainRuntimeId(entry.runtimeId),
        mode: 0,
        tolerance: 0n,
        weightsRoot: entry.modelId as Hex,
        previous: `0x${"00".repeat(32)}`,
        metadataURI: `file://models/${entry.file}`,
      },
    ],
  });
  return entry.modelId as Hex;
}

/** Registers development account `operator` as an inference node with signer account `signer`, and stakes it. */
export async function registerInferenceNode(
  system: LocalSystem,
  parameters: { operator: number; signer: number; endpoint: string; models: Hex[]; stake?: bigint },
): Promise<{ node: Address; signer: Address }> {
  const clients = system.clients(parameters.operator);
  const stake = parameters.stake ?? parseEther("1000");
  const signer = system.account(parameters.signer).address;
  await sendTransaction(clients, {
    address: system.addresses.nodeRegistry!,
    abi: nodeRegistryAbi,
    functionName: "registerNode",
    args: [signer, parameters.endpoint, 0, parameters.models],
  });
  await sendTransaction(clients, {
    address: system.addresses.token!,
    abi: erc20Abi,
    functionName: "approve",
    args: [system.addresses.staking!, stake],
  });
  await sendTransaction(clients, {
    address: system.addresses.staking!,
    abi: stakingAbi,
    functionName: "stake",
    args: [stake],
  });
  return { node: system.account(parameters.operator).address, signer };
}
