import type { Address, Hash, Hex } from "viem";
import type { VerityClients } from "../createVerityClients";
import type { NodeRole } from "../enums.generated";
import { sendContractCall } from "../sendContractCall";
import { depositStake } from "./depositStake";
import { registerNode } from "./registerNode";

export type EnrollNodeParameters = {
  contracts: { token: Address; nodeRegistry: Address; staking: Address };
  /** The key that signs the node's receipts and batches. */
  signer: Address;
  endpoint: string;
  role: NodeRole;
  /** The models an inference node serves. */
  models: readonly Hex[];
  /** Stake to deposit after registering, in token base units. */
  stake: bigint;
};

export type EnrollNodeReturnType = { registration: Hash; stake: Hash };

/** Registers the clients' account as a node (or verifier) with its signer and endpoint, then approves and stakes. */
export async function enrollNode(
  clients: VerityClients,
  { contracts, signer, endpoint, role, models, stake }: EnrollNodeParameters,
): Promise<EnrollNodeReturnType> {
  const registration = await sendContractCall(
    clients,
    registerNode({ address: contracts.nodeRegistry, signer, endpoint, role, models: [...models] }),
  );
  const staked = await depositStake(clients, { token: contracts.token, staking: contracts.staking, amount: stake });
  return { registration, stake: staked };
}
