import type { ExplorerQueries } from "../ExplorerQueries";
import { html, link, short, time, type SafeHtml } from "../html";
import { disputeOutcome, facts, receiptState, timeline } from "./components";
import { gameSection } from "./games";

/** A receipt (or the receipts of a request id): state, batch, proof and dispute timelines. */
export function receiptPage(receipts: ReturnType<ExplorerQueries["receipts"]>, query: string): SafeHtml {
  return html`<h1>${receipts.length > 1 ? `Receipts of request ${short(query)}` : "Receipt"}</h1>
    ${receipts.map(
      (r) =>
        html`<section class="receipt" data-receipt="${String(r.receiptHash)}">
          <h2 class="mono">${String(r.receiptHash)} <span class="receipt-state">${receiptState(r.state)}</span></h2>
          ${facts([
            ["state", r.state === "attested" ? `attested, challenge window open until ${time(r.windowEnd)}` : r.state],
            ["request id", html`<span class="mono">${String(r.requestId ?? "–")}</span>`],
            ["model", r.modelId ? link.model(r.modelId) : "–"],
            ["node", link.node(r.node)],
            ["input hash", html`<span class="mono">${String(r.inputHash ?? "–")}</span>`],
            ["output hash", html`<span class="mono">${String(r.outputHash ?? "–")}</span>`],
            ["trace root", html`<span class="mono">${String(r.traceRoot ?? "–")}</span>`],
            ["issued", time(r.issuedAt)],
            ["attested", time(r.attestedAt)],
            ["challenge window ends", time(r.windowEnd)],
            [
              "batch",
              r.batch
                ? html`<span class="mono">${String(r.batch.batchId)}</span> (sequence ${String(r.batch.sequence)},
                    ${String(r.batch.count)} receipts, leaf ${String(r.leafIndex ?? "?")}, tx
                    <span class="mono">${short(r.batch.txHash)}</span>)`
                : "single receipt",
            ],
            [
              "Merkle proof",
              r.proof
                ? html`<ol class="mono receipt-proof">
                    ${r.proof.map((p) => html`<li>${p}</li>`)}
                  </ol>`
                : r.batch
                  ? "batch file not indexed yet"
                  : "none needed (single receipt)",
            ],
            ["router request", r.request ? link.request(r.request.requestId) : "–"],
            ["fraud games", r.games.length > 0 ? r.games.map((g) => html`${link.game(g.gameId)} `) : "–"],
          ])}
          ${r.games.map((g) => gameSection(g, (text) => html`<h2>${text}</h2>`))}
          ${r.disputes.map(
            (d) =>
              html`<h2>Dispute ${link.dispute(d!.disputeId)} ${disputeOutcome(String(d!.outcome))}</h2>
                ${timeline(d!.timeline, `dispute-${String(d!.disputeId)}-timeline`)}`,
          )}
        </section>`,
    )}`;
}
