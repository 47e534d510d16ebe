import { formatEther } from "viem";
import { createOutput } from "../cli/output";
import { fraudGameOutcomeNames, reasonNames } from "../chain/enums.generated";
import type { FraudGameRecord } from "./collectFraudGames";
import type { SystemScenarioReport } from "./runSystemScenario";

const tokens = (value: bigint) => `${Number(formatEther(value)).toFixed(2)}`;
const signed = (value: bigint) => `${value > 0n ? "+" : ""}${tokens(value)}`;
const short = (hash: string) => `${hash.slice(0, 10)}…`;

/** Prints the demo's report for humans: what was served and attested, the disputes, and who gained or lost what. */
export function printScenarioReport(
  write: (text: string) => void,
  report: SystemScenarioReport,
  checks: [string, boolean][],
  links: { explorerUrl?: string } = {},
): void {
  const output = createOutput(false, write);
  const { attestations } = report;
  write("\nVerity demo report\n");
  if (links.explorerUrl) write(`Explorer: ${links.explorerUrl}\n`);
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
    "fraud games (digits CNN v2)":
      `${report.fraudGames.length} opened by the challenger ` +
      `(${report.fraudGames.filter((g) => g.outcome === 1).length} found the node wrong), ` +
      `${report.griefedGames.length} griefed (${report.griefedGames.filter((g) => g.outcome === 2).length} won by the node)`,
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
      ...(links.explorerUrl ? { explorer: `${links.explorerUrl}/disputes/${d.id}` } : {}),
    })),
  );
  const games = [...report.fraudGames, ...report.griefedGames];
  if (games.length > 0) {
    write("\nFraud games (digits CNN, runtime verity-int8-v2)\n");
    const link = (game: FraudGameRecord) => (links.explorerUrl ? `\n    ${links.explorerUrl}/games/${game.id}` : "");
    for (const game of report.fraudGames) write(`  ${describeWonGame(game)}${link(game)}\n`);
    for (const game of report.griefedGames) write(`  ${describeGriefedGame(game)}${link(game)}\n`);
    write("\nFraud-path gas, per move (from the transactions' receipts)\n");
    output.table(gasRows(games));
    const total = games.reduce((sum, g) => sum + gasOf(g), 0n);
    write(`  total: ${total} gas in ${games.reduce((n, g) => n + g.moves.length, 0)} transactions\n`);
  }
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

const gasOf = (game: FraudGameRecord) => game.moves.reduce((sum, m) => sum + m.gas, 0n);
const kebab = (name: string) => name.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase();
const reasonOf = (game: FraudGameRecord) =>
  game.reason === 0 ? "one-step proof" : kebab(reasonNames[game.reason] ?? String(game.reason));
/** Moves after the opening `challenge`. */
const movesAfterOpening = (game: FraudGameRecord) => game.moves.length - 1;

/** "fraud game #1: node 0x… slashed 100.00 VRTT by output-mismatch after 2 moves (gas 1234567)". */
export function describeWonGame(game: FraudGameRecord): string {
  const outcome = fraudGameOutcomeNames[game.outcome] ?? String(game.outcome);
  const verb =
    outcome === "NodeWrong" ? `slashed ${tokens(game.slashed)} VRTT by ${reasonOf(game)}` : `won by ${reasonOf(game)}`;
  return (
    `fraud game #${game.id}: node ${short(game.node)} ${verb} after ${movesAfterOpening(game)} moves ` +
    `(gas ${gasOf(game)}; challenger reward ${tokens(game.challengerReward)} VRTT)`
  );
}

/** "an honest node's v2 receipt griefed (game #2) → node wins by one-step proof after 17 moves (gas …)". */
export function describeGriefedGame(game: FraudGameRecord): string {
  const winner = fraudGameOutcomeNames[game.outcome] === "NodeRight" ? "node wins" : "node LOSES";
  return (
    `an honest node's v2 receipt griefed (game #${game.id}, node ${short(game.node)}) → ${winner} by ` +
    `${reasonOf(game)} after ${movesAfterOpening(game)} moves (gas ${gasOf(game)}; griefer's bond ` +
    `${tokens(game.bond)} VRTT forfeited)`
  );
}

/** Gas per game and move name (calls of the same function summed), in the order the moves were first made. */
function gasRows(games: readonly FraudGameRecord[]) {
  const rows: { game: string; move: string; by: string; calls: number; gas: string }[] = [];
  for (const game of games) {
    const byName = new Map<string, { by: string; calls: number; gas: bigint }>();
    for (const move of game.moves) {
      const row = byName.get(move.name) ?? { by: move.by, calls: 0, gas: 0n };
      row.calls++;
      row.gas += move.gas;
      byName.set(move.name, row);
    }
    for (const [move, row] of byName)
      rows.push({ game: `#${game.id}`, move, by: row.by, calls: row.calls, gas: row.gas.toString() });
    rows.push({
      game: `#${game.id}`,
      move: "(game total)",
      by: "",
      calls: game.moves.length,
      gas: gasOf(game).toString(),
    });
  }
  return rows;
}
