import type { Command } from "commander";

/**
 * One top-level `verity` command. The CLI loads a group's module (and with it viem, SQLite, ONNX, ...) only when
 * the command line names that group; otherwise the group shows in the help from this entry alone, so `verity --help`
 * starts in a fraction of the time. `test/cli/verity.test.ts` checks that these entries match the loaded commands.
 */
export interface CommandGroup {
  /** The command's name, as typed after `verity`. */
  name: string;
  /** Its one-line description, as the loaded command states it. */
  description: string;
  /** Whether the command itself takes options (help then writes `<name> [options]`). */
  hasOptions: boolean;
  /** Imports the group's module and adds the full command to the program. */
  load(): Promise<(program: Command) => void>;
}

/** Every top-level command, in the order the help lists them. */
export const COMMAND_GROUPS: readonly CommandGroup[] = [
  {
    name: "deploy",
    description: "deploy and wire every contract (resumable), then verify the sources when an explorer key is set",
    hasOptions: true,
    load: async () => (await import("./commands/deploy")).addDeployCommand,
  },
  {
    name: "model",
    description: "register and inspect models in the ModelRegistry; compile ONNX models to verity-int8-v2",
    hasOptions: false,
    load: async () => (await import("./commands/model")).addModelCommands,
  },
  {
    name: "node",
    description: "register an operator, manage its stake, inspect it",
    hasOptions: false,
    load: async () => {
      const [{ createNodeCommand }, { addNodeServeCommand }] = await Promise.all([
        import("./commands/node"),
        import("./nodeServeCommand"),
      ]);
      return (program) => {
        const node = createNodeCommand();
        addNodeServeCommand(node);
        program.addCommand(node);
      };
    },
  },
  {
    name: "request",
    description: "ask the InferenceRouter for an inference, follow it",
    hasOptions: false,
    load: async () => (await import("./commands/request")).addRequestCommands,
  },
  {
    name: "token",
    description: "the stake token: balances, and minting test tokens",
    hasOptions: false,
    load: async () => (await import("./commands/token")).addTokenCommands,
  },
  {
    name: "chain",
    description: "the local development chain: move its clock",
    hasOptions: false,
    load: async () => (await import("./commands/chain")).addChainCommands,
  },
  {
    name: "receipt",
    description: "check receipts that nodes signed",
    hasOptions: false,
    load: async () => (await import("./commands/receipt")).addReceiptCommands,
  },
  {
    name: "dispute",
    description: "inspect disputes in the DisputeManager",
    hasOptions: false,
    load: async () => (await import("./commands/dispute")).addDisputeCommands,
  },
  {
    name: "validator",
    description: "ERC-8004 validation: ask the VerityValidator about a receipt, follow and push its answer",
    hasOptions: false,
    load: async () => (await import("./commands/validator")).addValidatorCommands,
  },
  {
    name: "verifier",
    description: "audit attested receipts, challenge wrong ones, vote",
    hasOptions: false,
    load: async () => (await import("./verifierCommands")).addVerifierCommands,
  },
  {
    name: "keeper",
    description: "batch signed receipts on chain; fulfil and settle requests",
    hasOptions: false,
    load: async () => (await import("./keeperCommands")).addKeeperCommands,
  },
  {
    name: "explorer",
    description: "index every Verity event into SQLite and serve the explorer: web pages, JSON API, live updates",
    hasOptions: true,
    load: async () => (await import("./explorerCommand")).addExplorerCommand,
  },
];

/**
 * The groups a command line needs loaded: the first word after `verity`, or the word after `help`
 * (`verity help keeper`). Options before the command (only `-h`/`--help` exist there) are skipped.
 */
export function getRequestedGroups(argv: readonly string[]): Set<string> {
  const words = argv.slice(2).filter((word) => !word.startsWith("-"));
  const first = words[0] === "help" ? words[1] : words[0];
  return new Set(first === undefined ? [] : [first]);
}
