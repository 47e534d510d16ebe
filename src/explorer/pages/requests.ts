import type { ExplorerQueries } from "../ExplorerQueries";
import { badge, html, link, time, tokens, type SafeHtml } from "../html";
import { facts, payoutsTable, table, timeline } from "./components";
import { receiptsTable } from "./nodes";

function requestState(state: string): SafeHtml {
  return badge(state, state === "settled" ? "good" : state === "refunded" || state === "closed" ? "warn" : "neutral");
}

/** All router requests, newest first. */
export function requestsPage(requests: ReturnType<ExplorerQueries["requests"]>): SafeHtml {
  return html`<h1>Router requests</h1>
    ${table(
      ["request", "consumer", "model", "fee", "created", "state"],
      requests.map(
        (r) =>
          html`<tr>
            <td>${link.request(r!.requestId)}</td>
            <td>${link.node(r!.consumer)}</td>
            <td>${link.model(r!.modelId)}</td>
            <td>${tokens(r!.fee)}</td>
            <td>${time(r!.createdAt)}</td>
            <td>${requestState(String(r!.state))}</td>
          </tr>`,
      ),
      "requests",
    )}`;
}

/** One router request: terms, timeline, receipts and payouts. */
export function requestPage(request: NonNullable<ReturnType<ExplorerQueries["request"]>>): SafeHtml {
  return html`<h1>
      Request <span class="mono">${String(request.requestId)}</span>
      <span id="request-state">${requestState(String(request.state))}</span>
    </h1>
    ${facts([
      ["consumer", link.node(request.consumer)],
      ["model", link.model(request.modelId)],
      ["input hash", html`<span class="mono">${String(request.inputHash)}</span>`],
      ["input URI", String(request.inputUri) || "(input on chain)"],
      ["redundancy", String(request.redundancy)],
      ["fee", tokens(request.fee)],
      ["deadline", time(request.deadline)],
      ["created", time(request.createdAt)],
      ["output hash", html`<span class="mono">${String(request.outputHash ?? "–")}</span>`],
      ["paid to nodes", tokens(request.paidToNodes)],
      ["to treasury", tokens(request.toTreasury)],
      ["refunded", tokens(request.refunded)],
    ])}
    <h2>Timeline</h2>
    ${timeline(request.timeline, "request-timeline")}
    <h2>Receipts</h2>
    ${receiptsTable(request.receipts)}
    <h2>Payouts</h2>
    ${payoutsTable(request.payouts)}`;
}
