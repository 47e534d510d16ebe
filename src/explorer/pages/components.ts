import { gameOutcomeName, reasonName, type NodeSummary, type TimelineEvent } from "../ExplorerQueries";
import { badge, html, link, short, time, tokens, type SafeHtml } from "../html";

const VERDICTS = ["node right", "node wrong"];
const DISPUTE_OUTCOMES = ["none", "node wrong", "node right", "expired"];

/** The payouts credited by a dispute or a request: when, what kind, to whom, how much. */
export function payoutsTable(payouts: readonly Record<string, unknown>[]): SafeHtml {
  return table(
    ["time", "kind", "account", "amount"],
    payouts.map(
      (p) =>
        html`<tr>
          <td>${time(p.timestamp)}</td>
          <td>${String(p.kind)}</td>
          <td>${link.node(p.account)}</td>
          <td>${tokens(p.amount)}</td>
        </tr>`,
    ),
  );
}

/** A sentence for one event, with links to what it names. */
export function describeEvent(event: TimelineEvent): SafeHtml {
  const a = event.args as Record<string, string | number | boolean>;
  switch (event.name) {
    case "DisputeOpened":
      return html`Challenge by ${link.node(a.challenger)}: bond ${tokens(a.bond)}, ${tokens(a.amountAtRisk)} of the
      node's stake at risk, committee drawn from block ${a.drawBlock}`;
    case "ChallengeJoined":
      return html`${link.node(a.challenger)} joins the challenge with a bond of ${tokens(a.bond)}`;
    case "CommitteeDrawRescheduled":
      return html`Committee draw rescheduled to block ${a.drawBlock}`;
    case "CommitteeMemberDrawn":
      return html`Committee member drawn: ${link.node(a.member)} (weight ${tokens(a.weight)})`;
    case "CommitteeDrawn":
      return html`Committee complete: commits until ${time(a.commitEnd)}, reveals until ${time(a.revealEnd)}`;
    case "VoteCommitted":
      return html`${link.node(a.voter)} commits a sealed vote`;
    case "VoteRevealed":
      return html`${link.node(a.voter)} reveals: <strong>${VERDICTS[Number(a.verdict)] ?? a.verdict}</strong> (weight
        ${tokens(a.weight)})`;
    case "DisputeArbitrated":
      return html`Arbitrated by ${link.node(a.arbitrator)}: ${a.nodeWrong ? "node wrong" : "node right"}`;
    case "DisputeResolved":
      return html`Verdict: <strong>${DISPUTE_OUTCOMES[Number(a.outcome)] ?? a.outcome}</strong> — slashed
        ${tokens(a.slashed)}, challenger reward ${tokens(a.challengerReward)}, voters ${tokens(a.voterRewards)},
        treasury ${tokens(a.toTreasury)}`;
    case "RewardCredited":
      return html`Payout: ${tokens(a.amount)} credited to ${link.node(a.account)}`;
    case "NonRevealPenalized":
      return html`${link.node(a.member)} did not reveal: slashed ${tokens(a.slashed)}`;
    case "ReceiptDisputed":
      return html`Receipt ${link.receipt(a.receiptHash)} marked disputed`;
    case "ReceiptDisputeResolved":
      return html`Receipt ${link.receipt(a.receiptHash)} ${a.wrong ? "rejected" : "upheld"}`;
    case "ReceiptDisputeExpired":
      return html`Dispute on ${link.receipt(a.receiptHash)} expired; the receipt is challengeable again until
      ${time(a.windowEnd)}`;
    case "Slashed":
      return html`${link.node(a.node)} slashed ${tokens(a.slashed)} (${tokens(a.toTreasury)} to the treasury)`;
    case "SlashPaid":
      return html`${tokens(a.amount)} of slashed stake paid to ${link.node(a.recipient)}`;
    case "NodeJailed":
      return html`${link.node(a.node)} jailed`;
    case "NodeUnjailed":
      return html`${link.node(a.node)} released from jail`;
    case "GameOpened":
      return html`Fraud game opened by ${link.node(a.challenger)} against ${link.node(a.node)}'s receipt
      ${link.receipt(a.receiptHash)}: bond ${tokens(a.bond)}, ${tokens(a.amountAtRisk)} of stake at risk; the node must
      reveal its tensor roots by ${time(a.deadline)}`;
    case "TensorsRevealed":
      return html`The node reveals ${Array.isArray(a.roots) ? (a.roots as unknown[]).length : "?"} tensor roots; the
      challenger picks one by ${time(a.deadline)}`;
    case "TensorPicked":
      return html`The challenger picks tensor ${a.tensor} (${a.size} elements, tree depth ${a.depth})`;
    case "NodesRevealed":
      return html`The node reveals the tree nodes under level ${a.level}, index ${a.index}`;
    case "NodePicked":
      return html`The challenger picks node ${a.index} at level ${a.level}`;
    case "ChunkRevealed":
      return html`The node reveals chunk ${a.index} of tensor ${a.tensor}`;
    case "ElementPicked":
      return html`The challenger picks element ${a.element}: the node claims ${a.claimed} (${a.segments} accumulator
      segments)`;
    case "AccumulatorsRevealed":
      return html`The node reveals its accumulators for segments ${a.lo}–${a.hi}`;
    case "AccumulatorPicked":
      return html`The challenger narrows to segments ${a.lo}–${a.hi} (accumulators ${a.accLo} → ${a.accHi})`;
    case "GameResolved":
      return html`Verdict: <strong>${gameOutcomeName(Number(a.outcome))}</strong> by
        <strong>${reasonName(Number(a.reason))}</strong>${
          Number(a.reason) === 0 || Number(a.reason) === 2
            ? html` (expected ${a.expected}, computed ${a.computed})`
            : ""
        }
        — slashed ${tokens(a.slashed)}, challenger reward ${tokens(a.challengerReward)}`;
    case "FraudJudgeSet":
      return html`Fraud judge set to ${link.node(a.judge)} (was ${link.node(a.previous)}): receipts of EXACT runtime-v2
      models are disputed only through it`;
    case "DisagreementNeedsFraudProof":
      return html`${link.node(a.node)}'s receipt ${link.receipt(a.receiptHash)} disagrees with another fulfilment: no
      committee dispute; the wrong side is to be challenged in the fraud game ${link.node(a.judge)}`;
    case "RequestCreated":
      return html`Request by ${link.node(a.consumer)} for model ${link.model(a.modelId)}: fee ${tokens(a.fee)},
      redundancy ${a.redundancy}, deadline ${time(a.deadline)}`;
    case "InputPublished":
      return html`Input published on chain by ${link.node(a.publisher)}`;
    case "NodeAssigned":
      return html`${link.node(a.node)} assigned (slot ${a.slot}, round ${a.round}), deadline ${time(a.deadline)}`;
    case "RequestFulfilled":
      return html`${link.node(a.node)} fulfils with receipt ${link.receipt(a.receiptHash)} (rank ${a.rank})`;
    case "DisagreementDisputed":
      return html`Disagreement: receipt ${link.receipt(a.receiptHash)} of ${link.node(a.node)} disputed`;
    case "NodePenalized":
      return html`${link.node(a.node)} missed its deadline: penalized ${tokens(a.slashed)}`;
    case "RequestReassigned":
      return html`Reassigned (round ${a.round}), new deadline ${time(a.deadline)}`;
    case "FeePaid":
      return html`Fee ${tokens(a.amount)} paid to ${link.node(a.node)}`;
    case "RequestSettled":
      return html`Settled: ${tokens(a.paidToNodes)} to nodes, ${tokens(a.toTreasury)} to the treasury,
      ${tokens(a.refunded)} refunded`;
    case "RequestRefunded":
      return html`Refunded ${tokens(a.amount)} to ${link.node(a.consumer)}`;
    case "Credited":
      return html`${tokens(a.amount)} credited to ${link.node(a.account)} (claimable)`;
    case "CreditClaimed":
      return html`${link.node(a.account)} claims ${tokens(a.amount)} to ${link.node(a.to)}`;
    case "UnstakeRequested":
      return html`${link.node(a.node)} requests to unstake ${tokens(a.amount)} (released ${time(a.releaseAt)})`;
    case "Withdrawn":
      return html`${link.node(a.node)} withdraws ${tokens(a.amount)}`;
    case "StakeLocked":
    case "StakeUnlocked":
      return html`${tokens(a.amount)} of ${link.node(a.node)}'s stake
      ${event.name === "StakeLocked" ? "locked" : "unlocked"} (locked now ${tokens(a.totalLocked)})`;
    case "NodeRegistered":
      return html`${link.node(a.node)} registers as ${Number(a.role) === 1 ? "verifier" : "inference node"} at
      ${a.endpoint}`;
    case "DataDemanded":
      return html`${link.node(a.demander)} demands a leaf of batch <span class="mono">${short(a.batchId)}</span> from
        ${link.node(a.node)} by ${time(a.deadline)}`;
    case "DemandAnswered":
      return html`${link.node(a.node)} answers the demand with receipt ${link.receipt(a.receiptHash)}`;
    case "DemandSlashed":
      return html`${link.node(a.node)} did not answer: slashed ${tokens(a.slashed)}${a.jailed ? " and jailed" : ""}`;
    case "EquivocationProven":
      return html`${link.node(a.node)} signed two receipts for one request: slashed ${tokens(a.slashed)}`;
    case "Staked":
      return html`${link.node(a.node)} stakes ${tokens(a.amount)} (active ${tokens(a.activeStake)})`;
    case "BatchSubmitted":
      return html`Batch of ${a.count} receipts attested by ${link.node(a.node)}`;
    case "ReceiptSubmitted":
      return html`Receipt ${link.receipt(a.receiptHash)} attested by ${link.node(a.node)}`;
    default:
      return html`${Object.entries(a)
        .map(([k, v]) => `${k}=${typeof v === "string" && v.length > 20 ? short(v) : JSON.stringify(v)}`)
        .join(" ")}`;
  }
}

/** Events in chain order, each with its time, block and a sentence. */
export function timeline(events: readonly TimelineEvent[], id = "timeline"): SafeHtml {
  if (events.length === 0) return html`<p class="empty">No events yet.</p>`;
  return html`<ol class="timeline" id="${id}">
    ${events.map(
      (e) =>
        html`<li data-event="${e.name}">
          <div class="when">
            ${time(e.timestamp)} · block ${e.blockNumber} · <span class="mono">${short(e.txHash)}</span>
          </div>
          <div><span class="what">${e.name}</span> — ${describeEvent(e)}</div>
        </li>`,
    )}
  </ol>`;
}

/** A node's status label: slashed and/or jailed, or active. */
export function nodeStatus(node: Pick<NodeSummary, "jailed" | "slashed" | "deregistered">): SafeHtml {
  return html`${node.slashed ? badge("slashed", "bad") : ""} ${node.jailed ? badge("jailed", "bad") : ""}
  ${node.deregistered ? badge("deregistered", "neutral") : ""}
  ${!node.slashed && !node.jailed && !node.deregistered ? badge("active", "good") : ""}`;
}

/** A receipt's state label. */
export function receiptState(state: string): SafeHtml {
  const tone = state === "final" ? "good" : state === "rejected" ? "bad" : state === "disputed" ? "warn" : "neutral";
  return badge(state, tone);
}

/** A dispute's outcome label. */
export function disputeOutcome(outcome: string): SafeHtml {
  const tone =
    outcome === "node wrong" ? "bad" : outcome === "node right" ? "good" : outcome === "open" ? "warn" : "neutral";
  return badge(outcome, tone);
}

/** A reputation score (0–1000) as a percentage. */
export function reputation(score: number): string {
  return `${(score / 10).toFixed(1)}`;
}

/** A table of rows, or a note when there are none. */
export function table(headers: readonly string[], rows: readonly SafeHtml[], id?: string): SafeHtml {
  if (rows.length === 0) return html`<p class="empty">None.</p>`;
  return html`<table ${id ? html`id="${id}"` : ""}>
    <thead>
      <tr>
        ${headers.map((h) => html`<th>${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

/** A definition list of facts. */
export function facts(entries: readonly [string, unknown][]): SafeHtml {
  return html`<dl class="facts">
    ${entries.map(
      ([k, v]) =>
        html`<dt>${k}</dt>
          <dd>${v}</dd>`,
    )}
  </dl>`;
}
