import type { Client } from "viem";

export type AdvanceTimeParameters = {
  /** Seconds to move the chain's clock forward. */
  seconds: bigint;
};

/** What {@link advanceTime} did: the new head's number and timestamp. */
export type AdvanceTimeReturnType = { blockNumber: bigint; timestamp: bigint };

/**
 * Moves a development chain's clock (`evm_increaseTime`) and mines one block (`evm_mine`) so the new time is the
 * head's. Only `hardhat node` and anvil answer these methods; any other chain rejects them.
 */
export async function advanceTime(client: Client, { seconds }: AdvanceTimeParameters): Promise<AdvanceTimeReturnType> {
  const request = client.request as (args: { method: string; params: unknown[] }) => Promise<unknown>;
  await request({ method: "evm_increaseTime", params: [Number(seconds)] });
  await request({ method: "evm_mine", params: [] });
  const head = (await request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
    number: `0x${string}`;
    timestamp: `0x${string}`;
  };
  return { blockNumber: BigInt(head.number), timestamp: BigInt(head.timestamp) };
}
