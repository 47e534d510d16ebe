import path from "node:path";
import { createIntegerRuntime } from "../../src/runtime";
import type { VerifierContext } from "../../src/verifier/context";
import { ModelCatalog } from "../../src/verifier/ModelCatalog";
import { VerdictStore } from "../../src/verifier/VerdictStore";
import { quiet, type KeeperWorld } from "../keeper/setup";

const MODELS_DIR = path.resolve(__dirname, "..", "..", "models");

/**
 * A verifier over a keeper world's chain, run step by step by the test (`runVerifierStep`): account `index` signs,
 * audits every batch, challenges, and is its own beneficiary; its verdict store lives in the world's directory.
 */
export function createTestVerifierContext(
  world: KeeperWorld,
  index: number,
  overrides: Partial<VerifierContext> = {},
): VerifierContext {
  const { addresses } = world.system;
  return {
    clients: world.system.clients(index),
    chainId: world.system.deployment.chainId,
    addresses: {
      token: addresses.token!,
      modelRegistry: addresses.modelRegistry!,
      nodeRegistry: addresses.nodeRegistry!,
      attestationRegistry: addresses.attestationRegistry!,
      disputeManager: addresses.disputeManager!,
    },
    store: new VerdictStore(path.join(world.dir, "verifier.sqlite")),
    catalog: new ModelCatalog([createIntegerRuntime()], [MODELS_DIR]),
    logger: quiet(),
    contentDir: undefined,
    auditShare: 1,
    confirmations: 0n,
    maxBlockRange: 1_000n,
    beneficiary: world.system.account(index).address,
    challenge: true,
    ...overrides,
  };
}
