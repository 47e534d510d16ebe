import { createTestClient, http, type Hex } from "viem";
import { getErrorMessage } from "../protocol";
import type { LocalSystem } from "./startLocalSystem";

/**
 * Systems stopped by their user and parked for the next start with the same deploy settings, each reverted to a
 * snapshot of its freshly deployed state.
 */
const parked = new Map<string, LocalSystem[]>();

/**
 * Reuse of deployed local systems within one process (what `npm test` turns on with `VERITY_DEVNET_REUSE=1`).
 * Starting a `hardhat node` and deploying costs about 25 CPU-seconds; a test suite starts dozens. Here the first
 * start with given deploy settings starts a system and snapshots it (`evm_snapshot`); its `stop()` reverts the chain
 * to that snapshot, resets mining to automine, and parks it; the next start with the same settings takes it from the
 * park. A user sees what a fresh system shows: the deployment, the funded accounts, no later blocks or state. Block
 * numbers restart from the snapshot and chain time keeps running from there, as on any chain.
 *
 * @param start - starts a fresh system (the caller's `startLocalSystem` without reuse).
 */
export async function reuseLocalSystem(
  environment: Record<string, string>,
  start: (environment: Record<string, string>) => Promise<LocalSystem>,
): Promise<LocalSystem> {
  const key = JSON.stringify(Object.entries(environment).sort(([a], [b]) => a.localeCompare(b)));
  const system = parked.get(key)?.pop() ?? (await start(environment));
  // Parked chains must not keep the process alive; they are killed when it exits.
  system.chain.unref();
  const testClient = createTestClient({ mode: "hardhat", transport: http(system.chain.rpcUrl) });
  const snapshot: Hex = await testClient.snapshot();
  let stopped = false;
  return {
    ...system,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        // viem's `revert` drops the node's answer; `false` means the snapshot is gone.
        const reverted: unknown = await testClient.request({ method: "evm_revert", params: [snapshot] });
        if (reverted !== true) throw new Error(`snapshot ${snapshot} is gone`);
        await testClient.setAutomine(true);
        await testClient.setIntervalMining({ interval: 0 });
      } catch (error) {
        // A chain that can't go back is not reused.
        console.warn(`local chain ${system.chain.rpcUrl} not reused: ${getErrorMessage(error)}`);
        await system.chain.stop();
        return;
      }
      parked.set(key, [...(parked.get(key) ?? []), system]);
    },
  };
}
