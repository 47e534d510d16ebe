import "dotenv/config";
import { Command, CommanderError } from "commander";
import { BaseError } from "../protocol";
import { ConfigError } from "../config/ConfigError";
import { DeploymentFileError } from "../chain/deployment";
import { TransactionRevertedError } from "../chain/sendTransaction";
import { addDeployCommand } from "./commands/deploy";
import { addDisputeCommands } from "./commands/dispute";
import { addModelCommands } from "./commands/model";
import { createNodeCommand } from "./commands/node";
import { addNodeServeCommand } from "./nodeServeCommand";
import { addReceiptCommands } from "./commands/receipt";
import { addRequestCommands } from "./commands/request";
import { ChainUnavailableError } from "./options";
import { ExitCode } from "./output";
import { addKeeperCommands } from "./keeperCommands";
import { addVerifierCommands } from "./verifierCommands";
import { addExplorerCommand } from "./explorerCommand";

/** Builds the `verity` command tree. */
export function createProgram(): Command {
  const program = new Command("verity").description(
    "Verity: verifiable AI inference — registries, staking, attestations, disputes",
  );
  addDeployCommand(program);
  addModelCommands(program);
  const node = createNodeCommand();
  addNodeServeCommand(node);
  program.addCommand(node);
  addRequestCommands(program);
  addReceiptCommands(program);
  addDisputeCommands(program);
  addVerifierCommands(program);
  addKeeperCommands(program);
  addExplorerCommand(program);
  applyToTree(program);
  return program;
}

/** Every command throws instead of exiting and shows its help after a usage error (also commands added whole). */
function applyToTree(command: Command): void {
  command.showHelpAfterError().exitOverride();
  for (const sub of command.commands) applyToTree(sub);
}

/** Runs the CLI and maps failures to exit codes: 2 usage/config, 3 chain unreachable, 4 reverted, 1 otherwise. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv as string[]);
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    process.stderr.write(`verity: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof ConfigError || error instanceof DeploymentFileError) return ExitCode.Usage;
    if (error instanceof ChainUnavailableError) return ExitCode.Unavailable;
    if (error instanceof TransactionRevertedError) return ExitCode.Rejected;
    if (error instanceof BaseError) return ExitCode.Failed;
    const message = error instanceof Error ? error.message : "";
    if (/HTTP request failed|fetch failed|ECONNREFUSED|timed out/i.test(message)) return ExitCode.Unavailable;
    return ExitCode.Failed;
  }
}

if (require.main === module) {
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
