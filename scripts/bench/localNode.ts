import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bytesToHex, parseEther, type Address, type Hex } from "viem";
import { writeDeploymentFile } from "../../src/chain/deployment";
import { NodeRole, enrollParticipant, registerManifestModel } from "../../src/devnet/enrollParticipants";
import { startLocalSystem, type LocalSystem } from "../../src/devnet/startLocalSystem";
import { readModelManifest, type ModelManifestEntry } from "../../src/models";

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

/** A benchmark's chain: Verity deployed, the bundled integer Iris model registered, one staked inference node. */
export interface BenchSystem {
  system: LocalSystem;
  /** A fresh temp directory for databases (removed by `stop`). */
  dir: string;
  /** The deployment record, written to `dir` for service processes. */
  deploymentFile: string;
  modelId: Hex;
  /** The model's manifest entry. */
  entry: ModelManifestEntry;
  /** The node's operator address (development account 1; its signer is account 2). */
  node: Address;
  /** The private key of development account `index` (2: the node's signer). */
  key(index: number): Hex;
  /** Stops the chain and removes `dir`. */
  stop(): Promise<void>;
}

/**
 * The start-up every service benchmark shares (bench:node, bench:keeper, bench:system): a hardhat node with Verity
 * deployed, `iris-int8` registered, and account 1 staked as an inference node (signer account 2) at `endpoint`.
 */
export async function startBenchSystem(parameters: { name: string; endpoint?: string }): Promise<BenchSystem> {
  const system = await startLocalSystem();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `verity-bench-${parameters.name}-`));
  const stop = async () => {
    await system.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const modelId = await registerBundledModel(system);
    const { node } = await registerInferenceNode(system, {
      operator: 1,
      signer: 2,
      endpoint: parameters.endpoint ?? "http://127.0.0.1:9",
      models: [modelId],
    });
    const deploymentFile = path.join(dir, "deployment.json");
    writeDeploymentFile(deploymentFile, system.deployment);
    const entry = readModelManifest(MODELS_DIR).models.find((m) => m.modelId === modelId)!;
    const key = (index: number) => bytesToHex(system.account(index).getHdKey().privateKey!);
    return { system, dir, deploymentFile, modelId, entry, node, key, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
