import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { erc20Abi, parseEther, type Hex } from "viem";
import { modelRegistryAbi, nodeRegistryAbi, stakingAbi } from "../../src/chain/abis.generated";
import { sendTransaction } from "../../src/chain/sendTransaction";
import { startLocalSystem, type LocalSystem } from "../../src/demo/startLocalSystem";
import { readModelManifest, type ModelManifestEntry } from "../../src/models";
import { startNodeService, type NodeService, type NodeServiceOptions } from "../../src/node/startNodeService";
import { getOnchainRuntimeId } from "../../src/runtime";

export const MODELS_DIR = path.resolve(__dirname, "..", "..", "models");
/** Development account roles. */
export const OPERATOR = 1;
export const SIGNER = 2;
export const CONSUMER = 3;
const STAKE = parseEther("1000");

/** A deployed system with both bundled models registered and one staked inference node (operator 1, signer 2). */
export interface NodeTestSystem {
  system: LocalSystem;
  int8: ModelManifestEntry;
  f32: ModelManifestEntry;
  /** Starts a node service for the staked operator; `db` defaults to a fresh file. */
  startNode(overrides?: Partial<NodeServiceOptions>): Promise<NodeService>;
  /** A fresh SQLite path. */
  freshDb(): string;
}

export async function startNodeTestSystem(): Promise<NodeTestSystem> {
  const system = await startLocalSystem({ VERITY_MINIMUM_STAKE: parseEther("100").toString() });
  const { addresses } = system;
  const manifest = readModelManifest(MODELS_DIR);
  const int8 = manifest.models.find((m) => m.name === "iris-int8")!;
  const f32 = manifest.models.find((m) => m.name === "iris-f32")!;
  for (const [entry, mode] of [
    [int8, 0],
    [f32, 1],
  ] as const) {
    await sendTransaction(system.clients(0), {
      address: addresses.modelRegistry!,
      abi: modelRegistryAbi,
      functionName: "registerModel",
      args: [
        {
          id: entry.modelId,
          runtimeId: getOnchainRuntimeId(entry.runtimeId),
          mode,
          tolerance: BigInt(entry.tolerance),
          weightsRoot: entry.modelId,
          previous: `0x${"00".repeat(32)}`,
          metadataURI: `file://models/${entry.file}`,
        },
      ],
    });
  }
  const operator = system.clients(OPERATOR);
  await sendTransaction(operator, {
    address: addresses.nodeRegistry!,
    abi: nodeRegistryAbi,
    functionName: "registerNode",
    args: [system.account(SIGNER).address, "http://127.0.0.1:9/node", 0, [int8.modelId as Hex, f32.modelId as Hex]],
  });
  await sendTransaction(operator, {
    address: addresses.token!,
    abi: erc20Abi,
    functionName: "approve",
    args: [addresses.staking!, STAKE],
  });
  await sendTransaction(operator, {
    address: addresses.staking!,
    abi: stakingAbi,
    functionName: "stake",
    args: [STAKE],
  });
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "verity-node-test-"));
  let dbCount = 0;
  const freshDb = () => path.join(directory, `node-${++dbCount}.sqlite`);
  return {
    system,
    int8,
    f32,
    freshDb,
    startNode: (overrides = {}) =>
      startNodeService({
        rpcUrl: system.chain.rpcUrl,
        deployment: system.deployment,
        operator: system.account(OPERATOR).address,
        signer: system.account(SIGNER),
        db: freshDb(),
        modelsDir: MODELS_DIR,
        port: 0,
        watchRouter: false,
        pollingIntervalMs: 100,
        logger: pino({ level: process.env.VERITY_TEST_LOG ?? "silent" }),
        ...overrides,
      }),
  };
}
