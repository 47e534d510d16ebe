import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { parseEther } from "viem";
import { NodeRole, enrollParticipant, registerManifestModel } from "../../src/devnet/enrollParticipants";
import { startLocalSystem, type LocalSystem } from "../../src/devnet/startLocalSystem";
import { readModelManifest, type ModelManifestEntry } from "../../src/models";
import { startNodeService, type NodeService, type NodeServiceOptions } from "../../src/node/startNodeService";

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
  for (const entry of [int8, f32]) await registerManifestModel(system.clients(0), addresses.modelRegistry!, entry);
  await enrollParticipant({
    operator: system.clients(OPERATOR),
    contracts: { token: addresses.token!, nodeRegistry: addresses.nodeRegistry!, staking: addresses.staking! },
    signer: system.account(SIGNER).address,
    endpoint: "http://127.0.0.1:9/node",
    role: NodeRole.Inference,
    models: [int8.modelId, f32.modelId],
    stake: STAKE,
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
