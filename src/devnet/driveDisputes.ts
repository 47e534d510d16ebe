import type { Address } from "viem";
import { claim } from "../chain/actions/claim";
import { getClaimable } from "../chain/actions/getClaimable";
import { getCommittee } from "../chain/actions/getCommittee";
import { getDispute } from "../chain/actions/getDispute";
import { getDisputeParameters } from "../chain/actions/getDisputeParameters";
import { getDisputeState } from "../chain/actions/getDisputeState";
import { getVote } from "../chain/actions/getVote";
import { sendContractCall } from "../chain/sendContractCall";
import { DisputeState } from "../chain/enums.generated";
import type { LocalSystem } from "./startLocalSystem";
import { waitUntil } from "./waitUntil";

/** How each dispute ended, for the report. */
export interface DisputeRecord {
  id: bigint;
  receiptHash: `0x${string}`;
  node: Address;
  committee: Address[];
  revealed: number;
  /** 1 = node wrong, 2 = node right (IDisputeManager.Outcome). */
  outcome: number;
  state: number;
}

/**
 * Walks open disputes through their periods on the local chain. The verifiers do the work (draw the committee,
 * replay, commit, reveal, resolve); this only moves chain time forward once every member has acted, as the clock of
 * a live chain would, and mines blocks while waiting so the services see new heads.
 */
export async function driveDisputes(
  system: LocalSystem,
  disputeIds: readonly bigint[],
  progress: (line: string) => void,
): Promise<DisputeRecord[]> {
  const { publicClient } = system.clients(0);
  const address = system.addresses.disputeManager!;
  const state = (id: bigint) => getDisputeState(publicClient, { address, id });
  const committeeOf = (id: bigint) => getCommittee(publicClient, { address, id });
  const allOf = async (check: (id: bigint) => Promise<boolean>) =>
    (await Promise.all(disputeIds.map(check))).every(Boolean);
  const votes = async (id: bigint) =>
    Promise.all((await committeeOf(id)).map((member) => getVote(publicClient, { address, id, member })));
  const mine = { between: () => system.mine(), timeoutMs: 45_000 };
  const parameters = await getDisputeParameters(publicClient, { address });

  await waitUntil(
    "every committee to be drawn",
    () => allOf(async (id) => (await state(id)) === DisputeState.Committing),
    mine,
  );
  progress(`committees drawn for ${disputeIds.length} dispute(s); members replay and commit`);
  await waitUntil(
    "every committee member to commit",
    () => allOf(async (id) => (await votes(id)).every((vote) => vote.commitment !== `0x${"00".repeat(32)}`)),
    mine,
  );
  await system.advanceTime(parameters.commitPeriod + 1);
  progress("commit period over: members reveal");
  await waitUntil(
    "every committee member to reveal",
    () => allOf(async (id) => (await votes(id)).every((vote) => vote.revealed)),
    mine,
  );
  await system.advanceTime(parameters.revealPeriod + 1);
  progress("reveal period over: the challenger resolves");
  await waitUntil(
    "every dispute to be resolved",
    () => allOf(async (id) => (await state(id)) === DisputeState.Resolved),
    mine,
  );

  return Promise.all(
    disputeIds.map(async (id) => {
      const dispute = await getDispute(publicClient, { address, id });
      return {
        id,
        receiptHash: dispute.receiptHash,
        node: dispute.node,
        committee: [...(await committeeOf(id))],
        revealed: dispute.revealedCount,
        outcome: dispute.outcome,
        state: await state(id),
      };
    }),
  );
}

/** Pays out what the disputes credited (bonds, rewards) to each account that has something to claim. */
export async function claimAll(system: LocalSystem, accountIndexes: readonly number[]): Promise<bigint> {
  let total = 0n;
  for (const index of accountIndexes) {
    const clients = system.clients(index);
    const account = system.account(index).address;
    const claimable = await getClaimable(clients.publicClient, {
      address: system.addresses.disputeManager,
      account,
    });
    if (claimable === 0n) continue;
    await sendContractCall(clients, claim({ address: system.addresses.disputeManager, to: account }));
    total += claimable;
  }
  return total;
}
