import type { ExplorerQueries } from "../ExplorerQueries";
import { html, link, time, tokens, type SafeHtml } from "../html";
import { disputeOutcome, facts, payoutsTable, table, timeline } from "./components";
import { disagreementsTable, fraudJudgesTable, gamesTable } from "./games";

/** All disputes (committee disputes and fraud games), newest first, the disagreements left to the game, the judges. */
export function disputesPage(
  disputes: ReturnType<ExplorerQueries["disputes"]>,
  fraud: {
    games: ReturnType<ExplorerQueries["games"]>;
    disagreements: ReturnType<ExplorerQueries["disagreements"]>;
    judges: ReturnType<ExplorerQueries["fraudJudges"]>;
  },
): SafeHtml {
  return html`<h1>Disputes</h1>
    <h2>Fraud games (EXACT models of runtime v2, decided on chain)</h2>
    ${gamesTable(fraud.games)}
    <h2>Router disagreements awaiting a fraud proof</h2>
    ${disagreementsTable(fraud.disagreements)}
    <h2>Committee disputes</h2>
    ${table(
      ["dispute", "node", "receipt", "challenger", "opened", "outcome", "slashed"],
      disputes.map(
        (d) =>
          html`<tr>
            <td>${link.dispute(d.disputeId)}</td>
            <td>${link.node(d.node)}</td>
            <td>${link.receipt(d.receiptHash)}</td>
            <td>${link.node(d.challenger)}</td>
            <td>${time(d.openedAt)}</td>
            <td>${disputeOutcome(String(d.outcome))}</td>
            <td>${tokens(d.slashed)}</td>
          </tr>`,
      ),
      "disputes",
    )}
    <h2>Fraud judge (attestation registry)</h2>
    ${fraudJudgesTable(fraud.judges)}`;
}

/** One dispute: the timeline challenge → draw → commits → reveals → verdict → slash, and the payouts. */
export function disputePage(dispute: NonNullable<ReturnType<ExplorerQueries["dispute"]>>): SafeHtml {
  return html`<h1>
      Dispute #${String(dispute.disputeId)} <span id="dispute-outcome">${disputeOutcome(String(dispute.outcome))}</span>
    </h1>
    ${facts([
      ["receipt", link.receipt(dispute.receiptHash)],
      ["node", link.node(dispute.node)],
      ["challenger", link.node(dispute.challenger)],
      ["bond", tokens(dispute.bond)],
      ["stake at risk", tokens(dispute.amountAtRisk)],
      ["opened", time(dispute.openedAt)],
      ["resolved", time(dispute.resolvedAt)],
      ["slashed", tokens(dispute.slashed)],
      ["challenger reward", tokens(dispute.challengerReward)],
      ["voter rewards", tokens(dispute.voterRewards)],
      ["to treasury", tokens(dispute.toTreasury)],
    ])}
    <h2>Timeline</h2>
    ${timeline(dispute.timeline, "dispute-timeline")}
    <h2>Payouts</h2>
    ${payoutsTable(dispute.payouts)}`;
}
