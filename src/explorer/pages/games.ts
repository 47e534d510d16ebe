import type { ExplorerQueries, GameTimelineEvent } from "../ExplorerQueries";
import type { GameTurn } from "../gameTurn";
import { badge, html, link, short, time, tokens, type SafeHtml } from "../html";
import { describeEvent, disputeOutcome, facts, payoutsTable, table } from "./components";

type Game = NonNullable<ReturnType<ExplorerQueries["game"]>>;

/**
 * Fraud games, newest first: a section of the disputes page, and of a node's page, where `node` is left out (the
 * table's id is then `node-games`).
 */
export function gamesTable(games: ReturnType<ExplorerQueries["games"]>, { node = true } = {}): SafeHtml {
  const header = ["game", "node", "receipt", "challenger", "opened", "moves", "outcome", "by", "slashed"];
  return table(
    node ? header : header.filter((column) => column !== "node"),
    games.map(
      (g) =>
        html`<tr data-game-row="${g.gameId}">
          <td>${link.game(g.gameId)}</td>
          ${node ? html`<td>${link.node(g.node)}</td>` : ""}
          <td>${link.receipt(g.receiptHash)}</td>
          <td>${link.node(g.challenger)}</td>
          <td>${time(g.openedAt)}</td>
          <td>${String(g.moves)}</td>
          <td>${disputeOutcome(g.outcome)}</td>
          <td>${g.reason ?? html`<span class="muted">${String(g.lastMove)}, due ${time(g.deadline)}</span>`}</td>
          <td>${tokens(g.slashed)}</td>
        </tr>`,
    ),
    node ? "games" : "node-games",
  );
}

/** Router disagreements the contracts left to the fraud game, with the game that took each up. */
export function disagreementsTable(rows: ReturnType<ExplorerQueries["disagreements"]>): SafeHtml {
  return table(
    ["time", "request", "node", "receipt", "output", "conflicting output", "fraud game"],
    rows.map(
      (d) =>
        html`<tr data-disagreement="${String(d.args.receiptHash)}">
          <td>${time(d.timestamp)}</td>
          <td>${link.request(d.args.id)}</td>
          <td>${link.node(d.args.node)}</td>
          <td>${link.receipt(d.args.receiptHash)}</td>
          <td class="mono">${short(d.args.outputHash)}</td>
          <td class="mono">${short(d.args.conflictingOutputHash)}</td>
          <td>
            ${d.game ? html`${link.game(d.game.gameId)} ${disputeOutcome(d.game.outcome)}` : badge("no game yet", "warn")}
          </td>
        </tr>`,
    ),
    "disagreements",
  );
}

/** The attestation registry's fraud judges, newest first. */
export function fraudJudgesTable(rows: ReturnType<ExplorerQueries["fraudJudges"]>): SafeHtml {
  return table(
    ["set", "block", "judge", "previous"],
    rows.map(
      (j, i) =>
        html`<tr data-judge="${j.judge}">
          <td>${time(j.timestamp)}</td>
          <td>${String(j.blockNumber)}</td>
          <td>${link.node(j.judge)} ${i === 0 ? badge("current", "good") : ""}</td>
          <td>${link.node(j.previous)}</td>
        </tr>`,
    ),
    "fraud-judges",
  );
}

function side(by: GameTimelineEvent["by"]): SafeHtml | string {
  if (by === "node") return badge("node", "neutral");
  if (by === "challenger") return badge("challenger", "warn");
  if (by === "other") return badge("third party", "neutral");
  return "";
}

/** A game's timeline: each move in chain order with who sent it, the function, its gas and the block. */
export function gameTimeline(events: readonly GameTimelineEvent[], id: string): SafeHtml {
  if (events.length === 0) return html`<p class="empty">No events yet.</p>`;
  return html`<ol class="timeline" id="${id}">
    ${events.map(
      (e) =>
        html`<li
          data-event="${e.name}"
          data-by="${e.by ?? ""}"
          data-function="${e.functionName ?? ""}"
          data-tx="${e.txHash}"
        >
          <div class="when">
            ${time(e.timestamp)} · block ${e.blockNumber} (+${e.blocksIn}) ·
            <span class="mono">${short(e.txHash)}</span>
            ${e.gasUsed ? html` · <span class="gas">${Number(e.gasUsed).toLocaleString("en")} gas</span>` : ""}
          </div>
          <div>
            ${side(e.by)} ${e.functionName ? html`<code>${e.functionName}</code>` : ""}
            ${e.sender ? html`by ${link.node(e.sender)}` : ""} — <span class="what">${e.name}</span> —
            ${describeEvent(e)}
          </div>
        </li>`,
    )}
  </ol>`;
}

/** "Your move is due": whose turn an open game waits for, the move, and a countdown to the deadline. */
function turnNotice(turn: GameTurn): SafeHtml {
  return html`<p class="game-turn" id="game-turn" data-side="${turn.by}">
    ${badge(`${turn.by}'s move`, turn.by === "node" ? "neutral" : "warn")} ${turn.move}, due ${time(turn.deadline)}
    (chain time):
    <strong class="countdown" data-seconds-left="${String(turn.secondsLeft)}">${countdown(turn.secondsLeft)}</strong>
    <span class="muted">— after the deadline anyone may call <code>timeout</code> and the ${turn.by} loses.</span>
  </p>`;
}

/** The text of a countdown (the page's script ticks it every second with the same wording). */
export function countdown(secondsLeft: number): string {
  if (secondsLeft < 0) return "overdue";
  const h = Math.floor(secondsLeft / 3600);
  const m = Math.floor((secondsLeft % 3600) / 60);
  const s = secondsLeft % 60;
  return `${h > 0 ? `${h} h ` : ""}${h > 0 || m > 0 ? `${m} min ` : ""}${s} s left`;
}

/** The facts of a game and its timeline (the game page, and a section of its receipt's page). */
export function gameSection(game: Game, heading: (text: SafeHtml) => SafeHtml): SafeHtml {
  return html`${heading(html`Fraud game #${game.gameId} <span class="game-outcome">${disputeOutcome(game.outcome)}</span>`)}
    ${facts([
      ["receipt", link.receipt(game.receiptHash)],
      ["node", link.node(game.node)],
      ["challenger", link.node(game.challenger)],
      ["beneficiary", link.node(game.beneficiary)],
      ["bond", tokens(game.bond)],
      ["stake at risk", tokens(game.amountAtRisk)],
      ["opened", html`${time(game.openedAt)} (block ${String(game.openedBlock)})`],
      [
        "state",
        game.outcome === "open"
          ? html`open: last move ${String(game.lastMove)}, next move due ${time(game.deadline)}`
          : html`decided: <strong class="game-verdict">${game.outcome} by ${game.reason ?? "?"}</strong> at
              ${time(game.resolvedAt)} (block ${String(game.resolvedBlock)})`,
      ],
      ["transactions", html`${game.moveCount}, ${Number(game.gas).toLocaleString("en")} gas in all`],
      ["slashed", tokens(game.slashed)],
      ["challenger reward", tokens(game.challengerReward)],
    ])}
    ${game.turn ? turnNotice(game.turn) : ""}
    <h3>Moves</h3>
    ${gameTimeline(game.timeline, `game-${game.gameId}-timeline`)}`;
}

/** One fraud game: facts, the timeline of moves, the payouts. */
export function gamePage(game: Game): SafeHtml {
  return html`${gameSection(game, (text) => html`<h1 id="game-title">${text}</h1>`)}
    <h2>Payouts</h2>
    ${payoutsTable(game.payouts)}`;
}
