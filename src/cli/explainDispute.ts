import type { Address } from "viem";
import { getNodeRegisteredEvents } from "../chain/actions/getNodeRegisteredEvents";
import { isNodeActive } from "../chain/actions/isNodeActive";
import { DisputeState, NodeRole } from "../chain/enums.generated";
import type { ChainContext } from "./options";

/** Why a dispute waits where it is and what moves it on; undefined when it is not stuck on anything but time. */
export type DisputeExplanation = { eligibleVerifiers: number; needed: number; why: string; unblock: string };

/**
 * Explains a dispute in `drawing`: how many active verifiers could sit on the committee (registered as verifiers,
 * active, neither the challenger nor the accused node) against the committee size, and what unblocks the draw.
 */
export async function explainDispute(
  context: ChainContext,
  dispute: { state: number; node: Address; challenger: Address; committeeSize: number; quorum: number },
): Promise<DisputeExplanation | undefined> {
  if (dispute.state !== DisputeState.Drawing) return undefined;
  const read = context.clients.publicClient;
  const registered = await getNodeRegisteredEvents(read, {
    address: context.contracts.nodeRegistry,
    fromBlock: BigInt(context.deployment.startBlock),
  });
  const candidates = [
    ...new Set(
      registered
        .filter((log) => log.args.role === NodeRole.Verifier)
        .map((log) => log.args.node.toLowerCase() as Address)
        .filter((node) => node !== dispute.node.toLowerCase() && node !== dispute.challenger.toLowerCase()),
    ),
  ];
  const active = await Promise.all(
    candidates.map((node) => isNodeActive(read, { address: context.contracts.nodeRegistry, node })),
  );
  const eligibleVerifiers = active.filter(Boolean).length;
  const needed = dispute.committeeSize;
  if (eligibleVerifiers < needed) {
    return {
      eligibleVerifiers,
      needed,
      why: `${eligibleVerifiers} eligible verifier(s), ${needed} needed for the committee (quorum ${dispute.quorum}); the draw reverts with DisputeCommitteeUnavailable`,
      unblock: `${needed - eligibleVerifiers} more verifier(s) must register (\`verity node register --role verifier\`) and stake (\`verity node stake\`); then any verifier service draws the committee`,
    };
  }
  return {
    eligibleVerifiers,
    needed,
    why: `${eligibleVerifiers} eligible verifiers, ${needed} needed: the committee can be drawn once the draw block is mined`,
    unblock: "a running verifier service (or anyone) calls drawCommittee after the draw block",
  };
}
