import { formatEther } from "viem";
import { createOutput } from "../cli/output";
import type { SystemScenarioReport } from "./runSystemScenario";

const tokens = (value: bigint) => `${Number(formatEther(value)).toFixed(2)}`;
const signed = (value: bigint) => `${value > 0n ? "+" : ""}${tokens(value)}`;
const short = (hash: string) => `${hash.slice(0, 10)}…`;

/** Prints the demo's report for humans: what was served and attested, the disputes, and who gained or lost what. */
export function printScenarioReport(
  write: (text: string) => void,
  report: SystemScenarioReport,
  checks: [string, boolean][],
): void {
  const output = createOutput(false, write);
  const { attestations } = report;
  write("\nVerity demo report\n");
  output.record({
    "API requests served": `${report.answers.length} (${report.answers.filter((a) => a.wrong).length} wrong answers)`,
    "on-chain requests": `${report.onChain.length} (${report.onChain.filter((r) => r.wrong).length} wrong answers)`,
    "receipts attested": `${attestations.receipts} in ${attestations.batches} batch transactions`,
    "attestation gas": `${attestations.gas} total, ${(Number(attestations.gas) / attestations.receipts).toFixed(0)} per receipt`,
    disputes: `${report.disputes.length} opened, ${report.disputes.filter((d) => d.outcome === 1).length} found the node wrong`,
    "stake slashed": Object.entries(report.slashed)
      .map(([node, amount]) => `${tokens(amount)} VRTT from ${node.slice(0, 10)}…`)
      .join(", "),
    "bonds and rewards claimed": `${tokens(report.claimed)} VRTT`,
  });
  write("\nDisputes\n");
  output.table(
    report.disputes.map((d) => ({
      id: d.id,
      receipt: short(d.receiptHash),
      node: short(d.node),
      committee: d.committee.map(short).join(" "),
      revealed: d.revealed,
      outcome: d.outcome === 1 ? "node wrong" : d.outcome === 2 ? "node right" : String(d.outcome),
    })),
  );
  write("\nOn-chain requests\n");
  output.table(
    report.onChain.map((r) => ({
      request: short(r.id),
      node: short(r.node),
      result: r.wrong ? "wrong" : "right",
      "paid to node": tokens(r.paidToNodes),
      treasury: tokens(r.toTreasury),
      refunded: tokens(r.refunded),
    })),
  );
  write("\nBalances (VRTT): tokens and stake, before -> after\n");
  output.table(
    report.ledger.before.map((before, i) => {
      const after = report.ledger.after[i]!;
      return {
        account: before.name,
        tokens: `${tokens(before.tokens)} -> ${tokens(after.tokens)} (${signed(after.tokens - before.tokens)})`,
        stake: `${tokens(before.stake)} -> ${tokens(after.stake)} (${signed(after.stake - before.stake)})`,
      };
    }),
  );
  write("\nExpected outcomes\n");
  output.table(checks.map(([outcome, passed]) => ({ "": passed ? "ok" : "FAIL", outcome })));
}
