import fs from "node:fs";
import { findFreePort } from "../../src/devnet/findFreePort";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import type { Address, Hex } from "viem";
import { startLocalSystem, type LocalSystem } from "../../src/devnet/startLocalSystem";
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

export interface KeeperWorldOptions {
  /** Port of the node service; its URL is then the endpoint registered in NodeRegistry. */
  nodePort?: number;
  /** Runs after the node is registered and before its service starts; returns the keeper URL for its outbox. */
  beforeNode?: (system: LocalSystem) => Promise<string | undefined>;
  watchRouter?: boolean;
  /** Share of the node's outputs corrupted on purpose (default 0). */
  dishonestShare?: number;
}

export async function startKeeperWorld(options: KeeperWorldOptions = {}): Promise<KeeperWorld> {
  const system = await startLocalSystem();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verity-keeper-test-"));
  try {
    const modelId = await registerBundledModel(system);
    const { node } = await registerInferenceNode(system, {
      operator: OPERATOR,
      signer: NODE_SIGNER,
      endpoint: options.nodePort ? `http://127.0.0.1:${options.nodePort}` : "http://127.0.0.1:9/unreachable",
      models: [modelId],
    });
    const keeperUrl = await options.beforeNode?.(system);
    const nodeService = await startNodeService({
      rpcUrl: system.chain.rpcUrl,
      deployment: system.deployment,
      operator: node,
      signer: system.account(NODE_SIGNER),
      db: path.join(dir, "node.sqlite"),
      modelsDir: MODELS_DIR,
      port: options.nodePort ?? 0,
      keeperUrl,
      batchToken: "batch-secret",
      watchRouter: options.watchRouter ?? false,
      dishonestShare: options.dishonestShare ?? 0,
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

/** A free TCP port on loopback (below the ephemeral range: see {@link findFreePort}). */
export const freePort = findFreePort;

/** A TCP proxy in front of a port that can be stopped (dropping every connection) and started again. */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  constructor(
    readonly port: number,
    private readonly targetPort: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, "127.0.0.1");
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
        socket.on("error", () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
  }

  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
