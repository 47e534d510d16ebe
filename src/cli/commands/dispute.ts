import { Option, type Command } from "commander";
import { formatUnits, zeroHash } from "viem";
import { getCommittee } from "../../chain/actions/getCommittee";
import { getDispute } from "../../chain/actions/getDispute";
import { getDisputeOpenedEvents } from "../../chain/actions/getDisputeOpenedEvents";
import { getDisputeState } from "../../chain/actions/getDisputeState";
import { getVote } from "../../chain/actions/getVote";
import { getFraudGame, getFraudGameEvents } from "../../chain/actions/fraudGame";
import { isNodeTurn } from "../../chain/fraudGamePlayer";
import {
  disputeManagerOutcomeNames,
  disputeStateNames,
  fraudGameOutcomeNames,
  phaseNames,
  reasonNames,
  verdictNames,
} from "../../chain/enums.generated";
import { BaseError } from "../../protocol";
import { explainDispute } from "../explainDispute";
import {
  addChainOptions,
  addExamples,
  connect,
  formatTime,
  getTokenInfo,
  parseInteger,
  toCliName,
  type ChainOptions,
} from "../options";

/** On-chain `DisputeState` names, by enum value. */
export const DISPUTE_STATES = disputeStateNames.map(toCliName);
/** On-chain `Outcome` names, by enum value. */
export const DISPUTE_OUTCOMES = disputeManagerOutcomeNames.map(toCliName);
const VERDICTS = verdictNames.map(toCliName);
const PHASES = phaseNames.map(toCliName);
const FRAUD_OUTCOMES = fraudGameOutcomeNames.map(toCliName);
const REASONS = reasonNames.map(toCliName);

/** `verity dispute list|show`. */
export function addDisputeCommands(program: Command): void {
  const dispute = program.command("dispute").description("inspect disputes in the DisputeManager");

  addExamples(
    addChainOptions(
      dispute
        .command("list")
        .description("list disputes (from DisputeOpened events) with their current state")
        .addOption(new Option("--state <state>", "only disputes in this state").choices(DISPUTE_STATES.slice(1))),
    ),
    ["verity dispute list", "verity dispute list --state committing --json"],
  ).action(async (options: ChainOptions & { state?: string }) => {
    const context = await connect(options, false);
    const read = context.clients.publicClient;
    const address = context.contracts.disputeManager;
    const [events, { decimals }] = await Promise.all([
      getDisputeOpenedEvents(read, { address, fromBlock: BigInt(context.deployment.startBlock) }),
      getTokenInfo(context),
    ]);
    const rows = [];
    for (const event of events) {
      const id = event.args.id;
      const [state, info] = await Promise.all([
        getDisputeState(read, { address, id }),
        getDispute(read, { address, id }),
      ]);
      if (options.state && DISPUTE_STATES[state] !== options.state) continue;
      rows.push({
        id,
        state: DISPUTE_STATES[state],
        outcome: DISPUTE_OUTCOMES[info.outcome],
        node: info.node,
        receiptHash: info.receiptHash,
        challenger: info.challenger,
        bond: formatUnits(info.bond, decimals),
        challengedAt: formatTime(info.challengedAt),
      });
    }
    context.output.table(rows, ["id", "state", "outcome", "node", "receiptHash", "challenger", "bond", "challengedAt"]);
  });

  addExamples(
    addChainOptions(
      dispute.command("show").description("one dispute: parties, periods, committee and votes").argument("<id>"),
    ),
    ["verity dispute show 1", "verity dispute show 1 --json"],
  ).action(async (idText: string, options: ChainOptions) => {
    const id = BigInt(parseInteger(idText, "<id>", 1, Number.MAX_SAFE_INTEGER));
    const context = await connect(options, false);
    const read = context.clients.publicClient;
    const address = context.contracts.disputeManager;
    const info = await getDispute(read, { address, id });
    if (info.challengedAt === 0) throw new BaseError(`no dispute ${id}`);
    const [state, committee, { decimals }] = await Promise.all([
      getDisputeState(read, { address, id }),
      getCommittee(read, { address, id }),
      getTokenInfo(context),
    ]);
    const tokens = (value: bigint) => formatUnits(value, decimals);
    const votes = await Promise.all(
      committee.map(async (member) => {
        const vote = await getVote(read, { address, id, member });
        return {
          member,
          weight: tokens(vote.weight),
          committed: vote.commitment !== zeroHash,
          revealed: vote.revealed,
          verdict: vote.revealed ? VERDICTS[vote.verdict] : "",
        };
      }),
    );
    const summary = {
      id,
      state: DISPUTE_STATES[state],
      outcome: DISPUTE_OUTCOMES[info.outcome],
      node: info.node,
      receiptHash: info.receiptHash,
      challenger: info.challenger,
      beneficiary: info.beneficiary,
      bond: tokens(info.bond),
      amountAtRisk: tokens(info.amountAtRisk),
      challengeBonds: tokens(info.challengeBonds),
      challengedAt: formatTime(info.challengedAt),
      drawBlock: info.drawBlock,
      commitEnd: formatTime(info.commitEnd),
      revealEnd: formatTime(info.revealEnd),
      revealed: info.revealedCount,
      wrongWeight: tokens(info.wrongWeight),
      rightWeight: tokens(info.rightWeight),
    };
    const explanation = await explainDispute(context, {
      state,
      node: info.node,
      challenger: info.challenger,
      committeeSize: info.params.committeeSize,
      quorum: info.params.quorum,
    });
    if (context.output.json) {
      return context.output.record({ ...summary, committee: votes, explanation: explanation ?? null });
    }
    context.output.record(explanation ? { ...summary, why: explanation.why, unblock: explanation.unblock } : summary);
    context.output.table(votes, ["member", "weight", "committed", "revealed", "verdict"]);
  });

  addExamples(
    addChainOptions(
      dispute
        .command("game")
        .description("one fraud-proof game (runtime-v2 EXACT receipts): parties, phase, whose move, outcome")
        .argument("<id>"),
    ),
    ["verity dispute game 1", "verity dispute game 1 --json"],
  ).action(async (idText: string, options: ChainOptions) => {
    const id = BigInt(parseInteger(idText, "<id>", 1, Number.MAX_SAFE_INTEGER));
    const context = await connect(options, false);
    const read = context.clients.publicClient;
    const address = context.contracts.fraudGame;
    const game = await getFraudGame(read, { address, id });
    if (game.phase === 0) throw new BaseError(`no fraud game ${id}`);
    const { decimals } = await getTokenInfo(context);
    const tokens = (value: bigint) => formatUnits(value, decimals);
    const resolved = game.phase === phaseNames.indexOf("Resolved");
    const [outcome] = resolved
      ? await getFraudGameEvents(read, {
          address,
          eventName: "GameResolved",
          args: { id },
          fromBlock: BigInt(context.deployment.startBlock),
        })
      : [];
    context.output.record({
      id,
      phase: PHASES[game.phase],
      turn: resolved ? "" : isNodeTurn(game.phase) ? "node" : "challenger",
      deadline: resolved ? "" : formatTime(game.deadline),
      outcome: FRAUD_OUTCOMES[game.outcome],
      reason: outcome ? REASONS[outcome.args.reason] : "",
      slashed: outcome ? tokens(outcome.args.slashed) : "",
      node: game.node,
      challenger: game.challenger,
      beneficiary: game.beneficiary,
      receiptHash: game.receiptHash,
      modelId: game.modelId,
      bond: tokens(game.bond),
      amountAtRisk: tokens(game.amountAtRisk),
      movePeriod: game.movePeriod,
      tensor: game.tensor,
      level: `${game.level}/${game.depth}`,
      index: game.index,
      element: game.element,
      segments: `[${game.lo}, ${game.hi})`,
    });
  });
}
