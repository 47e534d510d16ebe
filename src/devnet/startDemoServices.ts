import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pino, { type Logger } from "pino";
import type { Address } from "viem";
import { findFreePort } from "./findFreePort";
import { startKeeper, type Keeper } from "../keeper/startKeeper";
import { startNodeService, type NodeService } from "../node/startNodeService";
import { createIntegerRuntime, createOnnxRuntime } from "../runtime";
import type { VerifierContext } from "../verifier/context";
import { ModelCatalog } from "../verifier/ModelCatalog";
import { runVerifier } from "../verifier/startVerifier";
import { VerdictStore } from "../verifier/VerdictStore";
import { DEMO_CAST } from "./cast";
import type { LocalSystem } from "./startLocalSystem";

/** The running off-chain side of the demo: one keeper, three node services, three verifiers. */
export interface DemoServices {
  keeper: Keeper;
  nodes: { operator: Address; service: NodeService; dishonestShare: number }[];
  verifiers: { operator: Address; context: VerifierContext }[];
  stop(): Promise<void>;
}

export interface StartDemoServicesParameters {
  system: LocalSystem;
  modelsDir: string;
  /** Where the services keep their SQLite files. */
  workDir: string;
  /** Node endpoints chosen before registration, by operator account index. */
  nodePorts: Map<number, number>;
  logger: Logger;
}

/** Picks a free loopback port for every node so their endpoints can be registered before they start. */
export async function reserveNodePorts(): Promise<Map<number, number>> {
  const ports = new Map<number, number>();
  for (const node of DEMO_CAST.nodes) ports.set(node.operator, await findFreePort());
  return ports;
}

/**
 * Starts the keeper, the node services (each pushing its receipts to the keeper, the dishonest one corrupting its
 * share of outputs) and the verifiers' loops, all in this process against the local chain, each with its own state.
 */
export async function startDemoServices(parameters: StartDemoServicesParameters): Promise<DemoServices> {
  const { system, modelsDir, workDir, logger } = parameters;
  const rpcUrl = system.chain.rpcUrl;
  const batchToken = randomBytes(16).toString("hex");
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne();
  };
  try {
    const keeper = await startKeeper({
      rpcUrl,
      deployment: system.deployment,
      account: system.account(DEMO_CAST.keeper),
      db: path.join(workDir, "keeper.sqlite"),
      port: 0,
      maxBatchAgeMs: 1_000,
      batchToken,
      pollingIntervalMs: 250,
      logger: logger.child({ service: "keeper" }),
    });
    stoppers.push(() => keeper.close());

    const nodes: DemoServices["nodes"] = [];
    for (const cast of DEMO_CAST.nodes) {
      const operator = system.account(cast.operator).address;
      const service = await startNodeService({
        rpcUrl,
        deployment: system.deployment,
        operator,
        signer: system.account(cast.signer),
        // The operator's key too: the node defends its runtime-v2 receipts in fraud games.
        operatorAccount: system.account(cast.operator),
        db: path.join(workDir, `node-${cast.operator}.sqlite`),
        modelsDir,
        host: "127.0.0.1",
        port: parameters.nodePorts.get(cast.operator)!,
        keeperUrl: keeper.url,
        batchToken,
        dishonestShare: cast.dishonestShare,
        dishonestMode: cast.dishonestMode,
        pollingIntervalMs: 250,
        logger: logger.child({ service: `node-${cast.operator}` }),
      });
      stoppers.push(() => service.close());
      nodes.push({ operator, service, dishonestShare: cast.dishonestShare });
    }

    const controller = new AbortController();
    const loops: Promise<void>[] = [];
    const verifiers: DemoServices["verifiers"] = [];
    for (const cast of DEMO_CAST.verifiers) {
      const clients = system.clients(cast.operator);
      const operator = system.account(cast.operator).address;
      const context: VerifierContext = {
        clients,
        chainId: system.deployment.chainId,
        addresses: {
          token: system.addresses.token!,
          modelRegistry: system.addresses.modelRegistry!,
          nodeRegistry: system.addresses.nodeRegistry!,
          attestationRegistry: system.addresses.attestationRegistry!,
          disputeManager: system.addresses.disputeManager!,
          // Wrong runtime-v2 receipts are challenged in the fraud game, and played to the end.
          fraudGame: system.addresses.fraudGame,
        },
        store: new VerdictStore(path.join(workDir, `verifier-${cast.operator}.sqlite`)),
        catalog: new ModelCatalog([createIntegerRuntime(), createOnnxRuntime()], [modelsDir]),
        logger: logger.child({ service: `verifier-${cast.operator}` }),
        contentDir: undefined,
        auditShare: 1,
        confirmations: 0n,
        maxBlockRange: 1_000n,
        beneficiary: operator,
        challenge: cast.challenges,
      };
      loops.push(
        runVerifier(context, BigInt(system.deployment.startBlock), {
          intervalMs: 300,
          once: false,
          signal: controller.signal,
        }),
      );
      verifiers.push({ operator, context });
    }
    stoppers.push(async () => {
      controller.abort();
      await Promise.all(loops);
      for (const verifier of verifiers) verifier.context.store.close();
    });
    return { keeper, nodes, verifiers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A pino logger for the demo's services: silent unless asked, to a file when one is given. */
export function createDemoLogger(level: string, file?: string): Logger {
  if (file) fs.mkdirSync(path.dirname(file), { recursive: true });
  return pino({ level }, file ? pino.destination(file) : pino.destination(2));
}
