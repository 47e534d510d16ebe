import { zeroAddress } from "viem";
import {
  DisputeManagerOutcome,
  FraudGameOutcome,
  Reason,
  ReceiptState,
  VerificationMode,
} from "../chain/enums.generated";
import { getOnchainRuntimeId } from "../runtime";
import { INTEGER_V2_RUNTIME_ID } from "../runtime/integerV2";
import type { SystemScenarioReport } from "./runSystemScenario";

const NODE_WRONG = DisputeManagerOutcome.NodeWrong;
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The outcomes the demo promises, each as a sentence and whether it happened. The demo exits 0 only when all hold;
 * the end-to-end test asserts the same list.
 */
export function scenarioChecks(report: SystemScenarioReport): [string, boolean][] {
  const wrong = new Set(report.wrong);
  // Committee disputes for Iris receipts, fraud games for digits receipts: both are the challenger's challenges.
  const challenged = new Set([
    ...report.disputes.map((d) => d.receiptHash),
    ...report.fraudGames.map((g) => g.receiptHash),
  ]);
  const { v2Model, fraudGames, griefedGames } = report;
  const v2Answers = report.answers.filter((a) => a.receipt.modelId.toLowerCase() === v2Model.modelId.toLowerCase());
  const wrongV2 = new Set(v2Answers.filter((a) => a.wrong).map((a) => a.receiptHash));
  const committeeReceipts = new Set(report.disputes.map((d) => d.receiptHash));
  const counts = [...report.attestations.occurrences.values()];
  const honestPaid = report.onChain.filter((r) => !r.wrong);
  const delta = (name: string, field: "tokens" | "stake") => {
    const before = report.ledger.before.find((e) => e.name === name)!;
    const after = report.ledger.after.find((e) => e.name === name)!;
    return after[field] - before[field];
  };
  const nameOf = (address: string) => report.ledger.before.find((e) => e.address === address)!.name;
  return [
    ["every API answer carries a receipt signed by its node's registered signer", report.answersSignedByTheirNode],
    [
      "the keeper attested every receipt exactly once, many per transaction",
      report.served.every((hash) => report.attestations.occurrences.get(hash) === 1) &&
        counts.length === report.served.length &&
        report.attestations.batches < report.served.length,
    ],
    ["every on-chain request was answered, relayed and settled", report.onChain.every((r) => r.state === 6)],
    ["the dishonest node gave at least one wrong result", wrong.size > 0],
    [
      "every wrong result, and nothing else, was challenged",
      wrong.size === challenged.size && [...wrong].every((hash) => challenged.has(hash)),
    ],
    [
      "each committee left out the challenger, revealed in full and found the node wrong",
      report.disputes.every(
        (d) =>
          !d.committee.includes(report.challenger) && d.revealed === d.committee.length && d.outcome === NODE_WRONG,
      ),
    ],
    [
      "the dishonest node was slashed and jailed",
      (report.slashed[report.dishonestNode] ?? 0n) > 0n && report.jailed[report.dishonestNode] === true,
    ],
    [
      "honest nodes kept all their stake",
      report.honestNodes.every((n) => !report.slashed[n] && !report.jailed[n] && delta(nameOf(n), "stake") === 0n),
    ],
    [
      "honest on-chain results were paid to their nodes, with the protocol share to the treasury",
      honestPaid.length > 0 &&
        honestPaid.every((r) => r.paidToNodes > 0n && r.toTreasury > 0n) &&
        report.honestNodes.some((n) => delta(nameOf(n), "tokens") > 0n),
    ],
    [
      "wrong on-chain results were refunded, not paid",
      report.onChain.filter((r) => r.wrong).every((r) => r.paidToNodes === 0n),
    ],
    [
      "the challenger came out ahead after claiming its bonds and rewards",
      report.claimed > 0n && delta(nameOf(report.challenger), "tokens") > 0n,
    ],
    ["the treasury gained protocol fees and slashed stake", delta("treasury", "tokens") > 0n],
    [
      "the digits CNN is registered EXACT on verity-int8-v2 and judged by the fraud game (Iris by committees)",
      v2Model.runtimeId === getOnchainRuntimeId(INTEGER_V2_RUNTIME_ID) &&
        v2Model.mode === VerificationMode.EXACT &&
        same(v2Model.judge, report.fraudGameAddress) &&
        v2Model.otherJudges.length > 0 &&
        v2Model.otherJudges.every((judge) => judge === zeroAddress),
    ],
    [
      "every node served the digits CNN; the dishonest node, and only it, gave a wrong digits answer",
      new Set(v2Answers.map((a) => a.node)).size === report.honestNodes.length + 1 &&
        wrongV2.size > 0 &&
        v2Answers.filter((a) => a.wrong).every((a) => a.node === report.dishonestNode),
    ],
    [
      "every wrong digits result went to a fraud game the challenger opened, none to a committee",
      fraudGames.length === wrongV2.size &&
        fraudGames.every(
          (g) =>
            wrongV2.has(g.receiptHash) &&
            same(g.challenger, report.challenger) &&
            !committeeReceipts.has(g.receiptHash),
        ),
    ],
    [
      "the verifier won each fraud game: the node's stake fell by exactly the amount at risk, the receipt is Rejected",
      fraudGames.length > 0 &&
        fraudGames.every(
          (g) =>
            g.outcome === FraudGameOutcome.NodeWrong &&
            same(g.node, report.dishonestNode) &&
            g.amountAtRisk > 0n &&
            g.slashed === g.amountAtRisk &&
            g.stakeDrop === g.amountAtRisk &&
            g.receiptState === ReceiptState.Rejected,
        ),
    ],
    [
      "the dishonest node's corrupted trace element was found by bisection and re-executed on chain: one-step proof",
      fraudGames.length > 0 &&
        fraudGames.every(
          (g) =>
            g.reason === Reason.OneStep &&
            g.moves.some((m) => m.name === "pickElement" && m.by === "challenger") &&
            g.moves.at(-1)?.name === "proveStep" &&
            g.moves.at(-1)?.by === "challenger" &&
            !g.moves.some((m) => m.name === "proveOutputMismatch"),
        ),
    ],
    [
      "the verifier's claim returned its bond plus its reward: its balance rose by the reward",
      fraudGames.length > 0 &&
        fraudGames.every(
          (g) =>
            g.challengerReward > 0n && g.bondPaid === g.bond && g.claimedByBeneficiary === g.bond + g.challengerReward,
        ),
    ],
    [
      "both sides played each fraud game on chain: the challenger opened it, the node service answered",
      [...fraudGames, ...griefedGames].every(
        (g) =>
          g.moves[0]?.name === "challenge" &&
          g.moves[0].by === "challenger" &&
          g.moves.some((m) => m.by === "node") &&
          g.moves.every((m) => m.gas > 0n),
      ),
    ],
    [
      "an honest node's griefed digits receipt: the node won, kept its stake, the griefer lost its bond",
      griefedGames.length === 1 &&
        griefedGames.every(
          (g) =>
            g.outcome === FraudGameOutcome.NodeRight &&
            report.honestNodes.some((n) => same(n, g.node)) &&
            g.slashed === 0n &&
            g.stakeDrop === 0n &&
            g.receiptState !== ReceiptState.Rejected &&
            g.bond > 0n &&
            g.bondPaid === g.bond &&
            g.claimedByBeneficiary === 0n,
        ),
    ],
  ];
}
