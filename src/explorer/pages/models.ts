import type { ExplorerQueries } from "../ExplorerQueries";
import { html, link, time, tokens, type SafeHtml } from "../html";
import { facts, reputation, table } from "./components";
import { receiptsTable } from "./nodes";

/** All models. */
export function modelsPage(models: ReturnType<ExplorerQueries["models"]>): SafeHtml {
  return html`<h1>Models</h1>
    ${table(
      ["model", "mode", "tolerance", "owner", "registered", "status"],
      models.map(
        (m) =>
          html`<tr>
            <td>${link.model(m.modelId)}</td>
            <td>${m.mode}</td>
            <td>${String(m.tolerance)}</td>
            <td>${link.node(m.owner)}</td>
            <td>${time(m.registeredAt)}</td>
            <td>${m.deprecated ? "deprecated" : "active"}</td>
          </tr>`,
      ),
    )}`;
}

/** One model: runtime, policy, who serves it, its receipts. */
export function modelPage(model: NonNullable<ReturnType<ExplorerQueries["model"]>>): SafeHtml {
  return html`<h1>Model <span class="mono">${String(model.modelId)}</span></h1>
    ${facts([
      ["runtime id", html`<span class="mono">${String(model.runtimeId)}</span>`],
      [
        "verification policy",
        `${model.mode}${model.mode === "TOLERANCE" ? ` (tolerance ${String(model.tolerance)})` : ""}`,
      ],
      ["weights root", html`<span class="mono">${String(model.weightsRoot)}</span>`],
      ["owner", link.node(model.owner)],
      ["metadata", String(model.metadataUri)],
      ["previous version", /^0x0*$/.test(String(model.previous)) ? "–" : link.model(model.previous)],
      ["status", model.deprecated ? "deprecated" : "active"],
      ["registered", time(model.registeredAt)],
      ["receipts indexed", String(model.receiptCount)],
    ])}
    <h2>Served by</h2>
    ${table(
      ["node", "jailed", "active stake", "reputation"],
      model.servedBy.map(
        (n) =>
          html`<tr>
            <td>${link.node(n.address)}</td>
            <td>${n.jailed ? "yes" : "no"}</td>
            <td>${tokens(n.activeStake)}</td>
            <td>${reputation(n.reputation.score)}</td>
          </tr>`,
      ),
    )}
    <h2>Latest receipts</h2>
    ${receiptsTable(model.receipts)}`;
}
