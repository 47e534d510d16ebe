import type { Command } from "commander";
import { advanceTime } from "../../chain/actions/advanceTime";
import { formatDuration } from "../../chain/formatRevertArgs";
import { ConfigError } from "../../config/ConfigError";
import { addChainOptions, addExamples, connect, formatTime, type ChainOptions } from "../options";

/** The development chain's id (`hardhat node`, anvil): the only chain whose clock `chain advance` moves. */
const LOCAL_CHAIN_ID = 31337;

const UNITS: Record<string, bigint> = { s: 1n, m: 60n, h: 3_600n, d: 86_400n, w: 604_800n };

/** Parses `7d`, `12h`, `30m`, `45s`, `2w` or plain seconds (ConfigError otherwise). */
export function parseDurationFlag(value: string, flag: string): bigint {
  const match = /^(\d+)([smhdw]?)$/.exec(value.trim());
  if (!match) throw new ConfigError(`${flag}: a duration such as 7d, 12h, 30m, 45s or seconds, got "${value}"`);
  const seconds = BigInt(match[1]!) * UNITS[match[2] || "s"]!;
  if (seconds === 0n) throw new ConfigError(`${flag}: must be more than 0 seconds`);
  return seconds;
}

/** `verity chain advance`: moves a local chain's clock (challenge windows, unbonding, deadlines). */
export function addChainCommands(program: Command): void {
  const chain = program.command("chain").description("the local development chain: move its clock");
  addExamples(
    addChainOptions(
      chain
        .command("advance")
        .description("move a local chain's clock forward and mine a block (local chains only; exit 2 elsewhere)")
        .requiredOption("--time <duration>", "how far: 7d, 12h, 30m, 45s, 2w, or seconds"),
    ),
    ["verity chain advance --time 1d        # past a one-day challenge window"],
  ).action(async (options: ChainOptions & { time: string }) => {
    const seconds = parseDurationFlag(options.time, "--time");
    const context = await connect(options, false);
    if (context.deployment.chainId !== LOCAL_CHAIN_ID) {
      throw new ConfigError(
        `chain advance moves only a local development chain's clock (chain ${LOCAL_CHAIN_ID}); this deployment is chain ${context.deployment.chainId}`,
      );
    }
    let head;
    try {
      head = await advanceTime(context.clients.publicClient, { seconds });
    } catch (error) {
      throw new ConfigError(
        `chain advance: the node refused evm_increaseTime (only hardhat node and anvil move their clock): ${(error as Error).message.split("\n")[0]}`,
      );
    }
    context.output.record({
      advanced: formatDuration(seconds),
      block: head.blockNumber.toString(),
      time: formatTime(head.timestamp),
    });
  });
}
