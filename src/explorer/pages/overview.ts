import type { ExplorerQueries } from "../ExplorerQueries";
import { html, jsonScript, link, time, tokens, type SafeHtml } from "../html";
import { disputeOutcome, nodeStatus, reputation, table, timeline } from "./components";

/** The overview: counts, treasury, the receipts-over-time and stake-by-node plots, nodes, disputes, latest events. */
export function overviewPage(
  overview: ReturnType<ExplorerQueries["overview"]>,
  nodes: ReturnType<ExplorerQueries["nodes"]>,
): SafeHtml {
  const card = (label: string, value: unknown, id: string) =>
    html`<div class="card">
      <div class="label">${label}</div>
      <div class="value" id="${id}">${value}</div>
    </div>`;
  return html`<h1>Overview</h1>
    <p class="muted">
      Indexed to block <span id="head-block">${overview.head?.block ?? "–"}</span> (${time(overview.head?.timestamp)}
      chain time).
    </p>
    <div class="cards">
      ${card("Nodes (inference / verifiers)", `${overview.nodes.inference} / ${overview.nodes.verifiers}`, "stat-nodes")}
      ${card("Jailed nodes", overview.nodes.jailed, "stat-jailed")}
      ${card("Total active stake", tokens(overview.totalStake), "stat-stake")}
      ${card("Models", overview.models, "stat-models")}
      ${card("Receipts attested", overview.receipts.total.toLocaleString("en"), "stat-receipts")}
      ${card("Receipts this hour", overview.receipts.lastHour.toLocaleString("en"), "stat-receipts-hour")}
      ${card("Open disputes", overview.disputes.open, "stat-open-disputes")}
      ${card("Slashes", `${overview.slashes.count} (${tokens(overview.slashes.total)})`, "stat-slashes")}
      ${card("Treasury (slashes + fees)", tokens(overview.treasury.total), "stat-treasury")}
    </div>
    <div class="plots">
      <div class="plot">
        <h2>Receipts attested per hour</h2>
        <div id="plot-receipts"></div>
      </div>
      <div class="plot">
        <h2>Active stake by node</h2>
        <div id="plot-stake"></div>
      </div>
    </div>
    ${jsonScript("plot-data", {
      receipts: overview.receipts.perHour,
      range: overview.receipts.range,
      stake: overview.stakeByNode.map((s) => ({
        node: s.node,
        stake: Number(BigInt(String(s.stake)) / 10n ** 14n) / 1e4,
      })),
    })}
    <h2>Nodes</h2>
    ${table(
      ["node", "role", "status", "active stake", "receipts", "disputes lost", "reputation"],
      nodes.map(
        (n) =>
          html`<tr data-node="${n.address}">
            <td>${link.node(n.address)}</td>
            <td>${n.role}</td>
            <td>${nodeStatus(n)}</td>
            <td>${tokens(n.activeStake)}</td>
            <td>${String(n.receipts ?? 0)}</td>
            <td>${String(n.disputesLost ?? 0)}</td>
            <td>${reputation(n.reputation.score)}</td>
          </tr>`,
      ),
      "nodes",
    )}
    <h2>Latest disputes</h2>
    ${table(
      ["dispute", "node", "receipt", "outcome", "slashed"],
      overview.recentDisputes.map(
        (d) =>
          html`<tr>
            <td>${link.dispute(d.disputeId)}</td>
            <td>${link.node(d.node)}</td>
            <td>${link.receipt(d.receiptHash)}</td>
            <td>${disputeOutcome(String(d.outcome))}</td>
            <td>${tokens(d.slashed)}</td>
          </tr>`,
      ),
    )}
    <h2>Latest events</h2>
    ${timeline(overview.recentEvents, "recent-events")}`;
}
