import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import type { Address, Hex } from "viem";
import { startLocalSystem, type LocalSystem } from "../../src/demo/startLocalSystem";
import { startNodeService, type NodeService } from "../../src/node/startNodeService";
import { MODELS_DIR, registerBundledModel, registerInferenceNode } from "../../scripts/bench/localNode";

/** Development accounts of the keeper tests. */
export const OPERATOR = 1;
export const NODE_SIGNER = 2;
export const KEEPER = 3;
export const CONSUMER = 4;
export const STRANGER = 5;

export const quiet = () => pino({ level: process.env.VERITY_TEST_LOG ?? "silent" });

/** A chain with Verity deployed, the bundled model, one staked node and the real node service for it. */
export interface KeeperWorld {
  system: LocalSystem;
  modelId: Hex;
  node: Address;
  nodeService: NodeService;
  dir: string;
  stop(): Promise<void>;
}

export async function startKeeperWorld(
  options: { keeperUrl?: string; watchRouter?: boolean } = {},
): Promise<KeeperWorld> {
  const system = await startLocalSystem();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-keeper-test-"));
  try {
    const modelId = await registerBundledModel(system);
    const { node } = await registerInferenceNode(system, {
      operator: OPERATOR,
      signer: NODE_SIGNER,
      endpoint: "http://127.0.0.1:9/unreachable",
      models: [modelId],
    });
    const nodeService = await startNodeService({
      rpcUrl: system.chain.rpcUrl,
      deployment: system.deployment,
      operator: node,
      signer: system.account(NODE_SIGNER),
      db: path.join(dir, "node.sqlite"),
      modelsDir: MODELS_DIR,
      port: 0,
      keeperUrl: options.keeperUrl,
      batchToken: "batch-secret",
      watchRouter: options.watchRouter ?? false,
      pollingIntervalMs: 100,
      logger: quiet(),
    });
    return {
      system,
      modelId,
      node,
      nodeService,
      dir,
      async stop() {
        await nodeService.close();
        await system.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await system.stop();
    throw error;
  }
}

/** One signed receipt from the node service's `POST /v1/infer`, as the keeper's JSON item. */
export interface SignedReceiptJson {
  receipt: Record<string, string>;
  signature: Hex;
  receiptHash: Hex;
}

export async function infer(world: KeeperWorld, seed: number): Promise<SignedReceiptJson> {
  const data = [seed % 127, (seed >> 7) % 127, (seed >> 14) % 127, -(seed % 100)];
  const response = await fetch(`${world.nodeService.url}/v1/infer`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ modelId: world.modelId, input: { dtype: "int8", shape: [1, 4], data } }),
  });
  if (!response.ok) throw new Error(`infer answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as SignedReceiptJson;
  return { receipt: body.receipt, signature: body.signature, receiptHash: body.receiptHash };
}

export async function postReceipts(
  keeperUrl: string,
  items: unknown[],
): Promise<{
  status: number;
  body: { accepted: number; duplicates: number; rejected: { index: number; error: string; message: string }[] };
}> {
  const response = await fetch(`${keeperUrl}/v1/receipts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ receipts: items }),
  });
  return { status: response.status, body: (await response.json()) as never };
}
