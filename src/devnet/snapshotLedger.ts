import { erc20Abi, type Address } from "viem";
import { stakingAbi } from "../chain/abis.generated";
import type { VerityClients } from "../chain/createVerityClients";

/** Token balance and slashable stake of one account at one moment. */
export interface LedgerEntry {
  name: string;
  address: Address;
  tokens: bigint;
  stake: bigint;
}

/** Reads the balances and stakes of the named accounts (for the report's "before" and "after" columns). */
export async function snapshotLedger(
  clients: VerityClients,
  contracts: { token: Address; staking: Address },
  accounts: readonly { name: string; address: Address }[],
): Promise<LedgerEntry[]> {
  const { publicClient } = clients;
  return Promise.all(
    accounts.map(async ({ name, address }) => ({
      name,
      address,
      tokens: await publicClient.readContract({
        address: contracts.token,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [address],
      }),
      stake: await publicClient.readContract({
        address: contracts.staking,
        abi: stakingAbi,
        functionName: "slashableStakeOf",
        args: [address],
      }),
    })),
  );
}
