import "./loadDotEnv";
import { Command, CommanderError, Option } from "commander";
import { COMMAND_GROUPS, getRequestedGroups } from "./commandGroups";
import { ExitCode, ExitCodeError } from "./exitCode";

/**
 * Builds the `verity` command tree. Groups named in `load` (all by default) are loaded whole; the others are listed
 * with their name and description only (see `COMMAND_GROUPS`), which is all the top-level help needs.
 */
export async function createProgram(load: (name: string) => boolean = () => true): Promise<Command> {
  const program = new Command("verity").description(
    "Verity: verifiable AI inference — registries, staking, attestations, disputes",
  );
  for (const group of COMMAND_GROUPS) {
    if (load(group.name)) {
      (await group.load())(program);
    } else {
      const stub = program.command(group.name).description(group.description);
      if (group.hasOptions) stub.addOption(new Option("--help-only").hideHelp());
    }
  }
  applyToTree(program);
  return program;
}

/** Every command throws instead of exiting and shows its help after a usage error (also commands added whole). */
function applyToTree(command: Command): void {
  command.showHelpAfterError().exitOverride();
  for (const sub of command.commands) applyToTree(sub);
}

/**
 * Runs the CLI and maps failures to exit codes: 2 usage/config (also a missing database, or one from a newer
 * version), 3 chain unreachable, 4 reverted, 1 otherwise.
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const requested = getRequestedGroups(argv);
    const program = await createProgram((name) => requested.has(name));
    await program.parseAsync(argv as string[]);
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    if (error instanceof ExitCodeError) {
      process.stderr.write(`verity: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`verity: ${await describeError(error)}\n`);
    return getExitCode(error);
  }
}

/** The message to print: a revert's custom error with its arguments in human units (token amounts, dates). */
async function describeError(error: unknown): Promise<string> {
  const [{ TransactionRevertedError }, { getConnectedTokenUnits }] = await Promise.all([
    import("../chain/errors"),
    import("./options"),
  ]);
  if (error instanceof TransactionRevertedError && error.errorName) {
    return `${error.describe(await getConnectedTokenUnits())}.`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The exit code for an error a command threw (the error classes are loaded only now, not at start-up). */
async function getExitCode(error: unknown): Promise<ExitCode> {
  const [
    { BaseError },
    { ConfigError },
    { DeploymentFileError },
    { TransactionRevertedError },
    { ChainUnavailableError },
    { StoreNotFoundError, StoreVersionError },
  ] = await Promise.all([
    import("../protocol/errors"),
    import("../config/ConfigError"),
    import("../chain/deployment"),
    import("../chain/errors"),
    import("./options"),
    import("../service/openDatabase"),
  ]);
  if (error instanceof ConfigError || error instanceof DeploymentFileError) return ExitCode.Usage;
  if (error instanceof StoreNotFoundError || error instanceof StoreVersionError) return ExitCode.Usage;
  if (error instanceof ChainUnavailableError) return ExitCode.Unavailable;
  if (error instanceof TransactionRevertedError) return ExitCode.Rejected;
  if (error instanceof BaseError) return ExitCode.Failed;
  const message = error instanceof Error ? error.message : "";
  if (/HTTP request failed|fetch failed|ECONNREFUSED|timed out/i.test(message)) return ExitCode.Unavailable;
  return ExitCode.Failed;
}

if (require.main === module) {
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
