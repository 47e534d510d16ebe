import { DisputeManagerOutcome } from "../chain/enums.generated";
import type { SystemScenarioReport } from "./runSystemScenario";

const NODE_WRONG = DisputeManagerOutcome.NodeWrong;

/**
 * The outcomes the demo promises, each as a sentence and whether it happened. The demo exits 0 only when all hold;
 * the end-to-end test asserts the same list.
 */
export function scenarioChecks(report: SystemScenarioReport): [string, boolean][] {
  const wrong = new Set(report.wrong);
  const challenged = new Set(report.disputes.map((d) => d.receiptHash));
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
  ];
}
