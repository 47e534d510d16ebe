/** Whose move an open fraud game waits for, what that move is, and how long is left before anyone may time it out. */
export interface GameTurn {
  by: "node" | "challenger";
  /** The move the game waits for, in words. */
  move: string;
  /** The chain time (seconds) after which `timeout` decides the game against `by`. */
  deadline: number;
  /** `deadline` less the newest indexed block's time: negative once the move is overdue. */
  secondsLeft: number;
}

const NODE = "node" as const;
const CHALLENGER = "challenger" as const;
const STEP = { by: CHALLENGER, move: "prove the one step on chain" };

/**
 * The move `IFraudGame` expects after each event (`FraudGame.sol`'s phases): the node reveals, the challenger picks;
 * an element or accumulator pick that leaves one segment leads to the challenger's one-step proof.
 */
function after(name: string, args: Record<string, unknown>): { by: "node" | "challenger"; move: string } | undefined {
  switch (name) {
    case "GameOpened":
      return { by: NODE, move: "reveal the trace's tensor roots" };
    case "TensorsRevealed":
      return { by: CHALLENGER, move: "pick a tensor (or prove the output mismatch)" };
    case "TensorPicked":
    case "NodePicked":
      return { by: NODE, move: "reveal the picked part of the tensor (its tree nodes or its chunk)" };
    case "NodesRevealed":
      return { by: CHALLENGER, move: "pick a tree node" };
    case "ChunkRevealed":
      return { by: CHALLENGER, move: "pick an element (or prove the input mismatch)" };
    case "ElementPicked":
      return Number(args.segments) === 1 ? STEP : { by: NODE, move: "reveal the element's accumulators" };
    case "AccumulatorsRevealed":
      return { by: CHALLENGER, move: "pick a range of accumulators" };
    case "AccumulatorPicked":
      return Number(args.hi) - Number(args.lo) === 1 ? STEP : { by: NODE, move: "reveal the range's accumulators" };
    default:
      return undefined;
  }
}

/**
 * The turn of an open game from its newest move event (`GameOpened` or a bisection move, each carrying the next
 * deadline), as of chain time `now`; undefined when the game is decided or no move event is known.
 */
export function gameTurn(
  events: readonly { name: string; args: Record<string, unknown> }[],
  deadline: number,
  now: number,
): GameTurn | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.name === "GameResolved") return undefined;
    const next = after(event.name, event.args);
    if (next) return { ...next, deadline, secondsLeft: deadline - now };
  }
  return undefined;
}
