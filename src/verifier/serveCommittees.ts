import { randomBytes } from "node:crypto";
import { bytesToHex, type Hex } from "viem";
import { commitVote } from "../chain/actions/commitVote";
import { drawCommittee } from "../chain/actions/drawCommittee";
import { getCommitment } from "../chain/actions/getCommitment";
import { getCommitteeMemberDrawnEvents } from "../chain/actions/getCommitteeMemberDrawnEvents";
import { getDispute } from "../chain/actions/getDispute";
import { getDisputeOpenedEvents } from "../chain/actions/getDisputeOpenedEvents";
import { getDisputeState } from "../chain/actions/getDisputeState";
import { resolveDispute } from "../chain/actions/resolveDispute";
import { revealVote } from "../chain/actions/revealVote";
import type { ContractCall } from "../chain/contractCall";
import { DisputeManagerOutcome, DisputeState, Verdict } from "../chain/enums.generated";
import { TransactionRevertedError } from "../chain/errors";
import { sendContractCall } from "../chain/sendContractCall";
import { getErrorMessage } from "../protocol";
import { auditBatch } from "./auditBatch";
import type { VerifierContext } from "./context";
import { joinOpenChallenge } from "./joinOpenChallenge";

/**
 * Committee work: finds the disputes this verifier was drawn for (events since the last run), decides its vote by
 * its own replay (auditing the disputed batch if it had not), stores vote and salt before committing (so a restart
 * reveals the same vote), commits while commitments are open and reveals while reveals are open.
 */
export async function serveCommittees(context: VerifierContext, fromBlockIfNew: bigint): Promise<void> {
  await recordNewDuties(context, fromBlockIfNew);
  for (const duty of context.store.openDuties()) {
    const id = BigInt(duty.disputeId);
    const state = await readState(context, id);
    try {
      if (state === DisputeState.Committing && duty.state === "drawn") {
        const commitment = await getCommitment(context.clients.publicClient, {
          address: context.addresses.disputeManager,
          id,
          voter: me(context),
          verdict: duty.verdict,
          outputHash: duty.outputHash as Hex,
          salt: duty.salt as Hex,
        });
        await send(context, commitVote({ address: context.addresses.disputeManager, id, commitment }));
        context.store.setDutyState(duty.disputeId, "committed", now());
        context.logger.info({ disputeId: duty.disputeId, verdict: duty.verdict }, "vote committed");
      } else if (state === DisputeState.Revealing && duty.state === "committed") {
        await send(
          context,
          revealVote({
            address: context.addresses.disputeManager,
            id,
            verdict: duty.verdict,
            outputHash: duty.outputHash as Hex,
            salt: duty.salt as Hex,
          }),
        );
        context.store.setDutyState(duty.disputeId, "revealed", now());
        context.logger.info({ disputeId: duty.disputeId }, "vote revealed");
      } else if (state > DisputeState.Revealing || (state === DisputeState.Revealing && duty.state === "drawn")) {
        context.store.setDutyState(duty.disputeId, "missed", now());
        context.logger.warn({ disputeId: duty.disputeId, state }, "committee duty missed");
      }
    } catch (error) {
      context.logger.warn({ disputeId: duty.disputeId, error: getErrorMessage(error).split("\n")[0] }, "duty retry");
    }
  }
}

/**
 * A resolved dispute of one of this verifier's challenges: settled when it decided the receipt; when it expired
 * undecided, the challenge goes back to `intent`, since the receipt is challengeable again in its extended window (an
 * accomplice's dispute that nobody decides must not leave a wrong receipt standing).
 */
async function closeChallenge(context: VerifierContext, receiptHash: string, id: bigint): Promise<void> {
  const dispute = await getDispute(context.clients.publicClient, { address: context.addresses.disputeManager, id });
  if (Number(dispute.outcome) !== DisputeManagerOutcome.Expired) {
    context.store.updateChallenge(receiptHash, { state: "settled", updatedAt: now() });
    return;
  }
  context.store.updateChallenge(receiptHash, {
    state: "intent",
    txHash: null,
    disputeId: null,
    error: `dispute ${id} expired undecided`,
    updatedAt: now(),
  });
  context.logger.warn({ disputeId: id.toString(), receiptHash }, "dispute expired undecided: challenging again");
}

/**
 * Moves forward the disputes of the receipts this verifier found wrong (opened by it or by anyone else): draws the
 * committee once the draw block has passed, joins one someone else opened while its committee commits, and resolves
 * once the vote (or the expiry) allows. Anyone may draw and resolve; the challengers have the strongest reason to.
 */
export async function driveOwnDisputes(context: VerifierContext): Promise<void> {
  for (const challenge of context.store.challenges()) {
    if (challenge.state !== "confirmed" || !challenge.disputeId) continue;
    const id = BigInt(challenge.disputeId);
    const state = await readState(context, id);
    try {
      if (state === DisputeState.Drawing) {
        const dispute = await getDispute(context.clients.publicClient, {
          address: context.addresses.disputeManager,
          id,
        });
        if ((await context.clients.publicClient.getBlockNumber({ cacheTime: 0 })) > BigInt(dispute.drawBlock)) {
          await send(context, drawCommittee({ address: context.addresses.disputeManager, id }));
          context.logger.info({ disputeId: challenge.disputeId }, "committee drawn");
        }
      } else if (state === DisputeState.Committing) {
        await joinOpenChallenge(context, id);
      } else if (state === DisputeState.Resolvable || state === DisputeState.Expired) {
        await send(context, resolveDispute({ address: context.addresses.disputeManager, id }));
        context.logger.info({ disputeId: challenge.disputeId }, "dispute resolved");
        await closeChallenge(context, challenge.receiptHash, id);
      } else if (state === DisputeState.Resolved) {
        await closeChallenge(context, challenge.receiptHash, id);
      }
    } catch (error) {
      const message = getErrorMessage(error).split("\n")[0];
      if (error instanceof TransactionRevertedError && error.errorName === "DisputeCommitteeUnavailable") {
        // The same until verifiers join: said once per dispute (at info), then only at debug level.
        const reported = committeeUnavailableReported.get(context) ?? new Set<string>();
        committeeUnavailableReported.set(context, reported);
        const first = !reported.has(challenge.disputeId);
        reported.add(challenge.disputeId);
        context.logger[first ? "warn" : "debug"](
          { disputeId: challenge.disputeId, drawn: String(error.errorArgs?.[1]), size: String(error.errorArgs?.[2]) },
          "committee unavailable: too few eligible verifiers; retrying quietly until more register and stake (see `verity dispute show`)",
        );
        continue;
      }
      const level = error instanceof TransactionRevertedError ? "warn" : "error";
      context.logger[level]({ disputeId: challenge.disputeId, error: message }, "dispute step failed; will retry");
    }
  }
}

/** Disputes whose DisputeCommitteeUnavailable was already logged, per verifier. */
const committeeUnavailableReported = new WeakMap<VerifierContext, Set<string>>();

async function recordNewDuties(context: VerifierContext, fromBlockIfNew: bigint): Promise<void> {
  const { publicClient } = context.clients;
  // Only draws on the confirmed chain: a reorganized draw may name other members, or another dispute by that id.
  const head = (await publicClient.getBlockNumber({ cacheTime: 0 })) - context.confirmations;
  const marker = context.store.getMarker("committee_cursor");
  const from = marker === undefined ? fromBlockIfNew : BigInt(marker);
  if (from > head) return;
  const drawn = await getCommitteeMemberDrawnEvents(publicClient, {
    address: context.addresses.disputeManager,
    args: { member: me(context) },
    fromBlock: from,
    toBlock: head,
  });
  for (const log of drawn) {
    const disputeId = log.args.id.toString();
    if (context.store.getDuty(disputeId)) continue;
    const { verdict, outputHash } = await decideVote(context, log.args.id);
    context.store.recordDuty({ disputeId, verdict, outputHash, salt: bytesToHex(randomBytes(32)) }, now());
    context.logger.info({ disputeId, verdict }, "drawn onto a committee");
  }
  context.store.setMarker("committee_cursor", (head + 1n).toString());
}

/** The vote on a dispute: this verifier's own replay of the disputed receipt. */
async function decideVote(context: VerifierContext, id: bigint): Promise<{ verdict: number; outputHash: Hex }> {
  const dispute = await getDispute(context.clients.publicClient, { address: context.addresses.disputeManager, id });
  let verdict = context.store.getVerdict(dispute.receiptHash);
  if (!verdict || verdict.verdict === "skipped") {
    const [opened] = await getDisputeOpenedEvents(context.clients.publicClient, {
      address: context.addresses.disputeManager,
      args: { id },
      fromBlock: 0n,
    });
    const batchKey = opened && /^0x0+$/.test(opened.args.batchId) ? dispute.receiptHash : opened?.args.batchId;
    const record = batchKey ? context.store.getBatch(batchKey) : undefined;
    if (record) {
      const audit = await auditBatch({ ...context, auditShare: 1 }, record);
      verdict = audit.verdicts.find((v) => v.receiptHash === dispute.receiptHash);
    }
  }
  const wrong = verdict !== undefined && (verdict.verdict === "wrong-output" || verdict.verdict === "malformed");
  return {
    verdict: wrong ? Verdict.NodeWrong : Verdict.NodeRight,
    outputHash: (verdict?.replayOutputHash ?? verdict?.claimedOutputHash ?? `0x${"00".repeat(32)}`) as Hex,
  };
}

function readState(context: VerifierContext, id: bigint): Promise<number> {
  return getDisputeState(context.clients.publicClient, { address: context.addresses.disputeManager, id });
}

function send(context: VerifierContext, call: ContractCall) {
  return sendContractCall(context.clients, call);
}

function me(context: VerifierContext) {
  return context.clients.walletClient!.account.address;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
