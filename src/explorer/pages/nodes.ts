import type { ExplorerQueries } from "../ExplorerQueries";
import { html, link, short, time, tokens, type SafeHtml } from "../html";
import { disputeOutcome, facts, nodeStatus, receiptState, reputation, table, timeline } from "./components";
import { gamesTable } from "./games";

/** All nodes. */
export function nodesPage(nodes: ReturnType<ExplorerQueries["nodes"]>): SafeHtml {
  return html`<h1>Nodes</h1>
    ${table(
      [
        "node",
        "role",
        "status",
        "active stake",
        "slashed",
        "receipts",
        "disputes lost",
        "DA failures",
        "missed deadlines",
        "reputation",
      ],
      nodes.map(
        (n) =>
          html`<tr data-node="${n.address}">
            <td>${link.node(n.address)}</td>
            <td>${n.role}</td>
            <td>${nodeStatus(n)}</td>
            <td>${tokens(n.activeStake)}</td>
            <td>${tokens(n.slashedTotal)}</td>
            <td>${String(n.receipts ?? 0)}</td>
            <td>${String(n.disputesLost ?? 0)}</td>
            <td>${String(n.daFailures ?? 0)}</td>
            <td>${String(n.missedDeadlines ?? 0)}</td>
            <td>${reputation(n.reputation.score)}</td>
          </tr>`,
      ),
      "nodes",
    )}`;
}

/** One node: status, stake history, receipts, disputes and fraud games won and lost, DA failures, liveness penalties, jail, reputation. */
export function nodePage(node: NonNullable<ReturnType<ExplorerQueries["node"]>>): SafeHtml {
  const r = node.reputation;
  return html`<h1>Node <span class="mono">${node.address}</span> ${nodeStatus(node)}</h1>
    ${facts([
      ["role", node.role],
      ["signer", html`<span class="mono">${node.signer}</span>`],
      ["endpoint", node.endpoint],
      ["registered", time(node.registeredAt)],
      ["active stake", html`<span id="node-stake">${tokens(node.activeStake)}</span>`],
      ["slashed in total", html`<span id="node-slashed">${tokens(node.slashedTotal)}</span>`],
      [
        "jailed",
        html`<span id="node-jailed">${node.jailed ? "yes" : "no"}</span> (${String(node.jailCount ?? 0)} time(s))`,
      ],
      ["receipts attested", String(node.receipts ?? 0)],
      ["disputes lost / won", `${String(node.disputesLost ?? 0)} / ${String(node.disputesWon ?? 0)}`],
      ["data-availability failures", String(node.daFailures ?? 0)],
      ["liveness penalties (missed deadlines)", String(node.missedDeadlines ?? 0)],
      ["equivocations", String(node.equivocations ?? 0)],
      [
        "reputation",
        html`<strong id="node-reputation">${reputation(r.score)}</strong> / 100
          <span class="muted">(${r.volume} receipts, ${r.faultPoints} fault points; see docs/reputation.md)</span>`,
      ],
      ["models", html`${node.models.map((m) => html`${link.model(m)} `)}`],
    ])}
    <h2>Stake history</h2>
    ${table(
      ["time", "block", "change", "amount", "active stake after"],
      node.stakeHistory.map(
        (s) =>
          html`<tr>
            <td>${time(s!.timestamp)}</td>
            <td>${String(s!.blockNumber)}</td>
            <td>${String(s!.kind)}</td>
            <td>${tokens(s!.amount)}</td>
            <td>${s!.activeStake === null ? "–" : tokens(s!.activeStake)}</td>
          </tr>`,
      ),
      "stake-history",
    )}
    <h2>Disputes</h2>
    ${table(
      ["dispute", "receipt", "opened", "outcome", "slashed"],
      node.disputes.map(
        (d) =>
          html`<tr>
            <td>${link.dispute(d.disputeId)}</td>
            <td>${link.receipt(d.receiptHash)}</td>
            <td>${time(d.openedAt)}</td>
            <td>${disputeOutcome(String(d.outcome))}</td>
            <td>${tokens(d.slashed)}</td>
          </tr>`,
      ),
      "node-disputes",
    )}
    <h2>Fraud games</h2>
    ${gamesTable(node.games, { node: false })}
    <h2>Data-availability demands</h2>
    ${table(
      ["demand", "batch", "demander", "state", "slashed"],
      node.demands.map(
        (d) =>
          html`<tr>
            <td>#${String(d!.demandId)}</td>
            <td class="mono">${short(d!.batchId)}</td>
            <td>${link.node(d!.demander)}</td>
            <td>${String(d!.state)}</td>
            <td>${tokens(d!.slashed)}</td>
          </tr>`,
      ),
    )}
    <h2>Liveness penalties and jail</h2>
    ${timeline(
      [...node.penalties, ...node.jailings].sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex),
      "node-penalties",
    )}
    <h2>Latest receipts</h2>
    ${receiptsTable(node.latestReceipts)}
    <h2>Latest batches</h2>
    ${table(
      ["batch", "sequence", "receipts", "attested", "contents"],
      node.batches.map(
        (b) =>
          html`<tr>
            <td class="mono">${short(b!.batchId)}</td>
            <td>${String(b!.sequence)}</td>
            <td>${String(b!.count)}</td>
            <td>${time(b!.timestamp)}</td>
            <td>${String(b!.contents)}</td>
          </tr>`,
      ),
    )}`;
}

/** Receipts with their state. */
export function receiptsTable(receipts: readonly Record<string, unknown>[]): SafeHtml {
  return table(
    ["receipt", "request", "model", "node", "attested", "state"],
    receipts.map(
      (r) =>
        html`<tr>
          <td>${link.receipt(r.receiptHash)}</td>
          <td class="mono">${short(r.requestId)}</td>
          <td>${r.modelId ? link.model(r.modelId) : "–"}</td>
          <td>${link.node(r.node)}</td>
          <td>${time(r.attestedAt)}</td>
          <td>${receiptState(String(r.state))}</td>
        </tr>`,
    ),
  );
}
