import type { Address } from "viem";
import { getSlashableStake } from "../chain/actions/getSlashableStake";
import { getTokenBalance } from "../chain/actions/getTokenBalance";
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
      tokens: await getTokenBalance(publicClient, { address: contracts.token, account: address }),
      stake: await getSlashableStake(publicClient, { address: contracts.staking, node: address }),
    })),
  );
}
