import type { Command } from "commander";
import { formatUnits } from "viem";
import { getTokenBalance } from "../../chain/actions/getTokenBalance";
import { getTokenOwner } from "../../chain/actions/getTokenOwner";
import { mint } from "../../chain/actions/mint";
import { sendContractCall } from "../../chain/sendContractCall";
import { BaseError } from "../../protocol";
import {
  KEY_HELP,
  addChainOptions,
  addExamples,
  connect,
  getTokenInfo,
  parseAddress,
  parseAmount,
  type ChainOptions,
} from "../options";

/** Chains where the stake token is the mintable test token: the local dev chain and Sepolia. */
const TEST_CHAIN_IDS = new Set([31337, 11155111]);

/** `verity token mint` was refused before any transaction: not a test chain, or the key is not the token's owner. */
export class TokenMintRefusedError extends BaseError {
  override name = "TokenMintRefusedError";
}

/** `verity token balance|mint`. */
export function addTokenCommands(program: Command): void {
  const token = program.command("token").description("the stake token: balances, and minting test tokens");

  addExamples(
    addChainOptions(
      token
        .command("balance")
        .description("an account's stake-token balance (default: the key's account)")
        .argument("[address]", "the account (default: the address of VERITY_KEY)"),
    ),
    ["verity token balance 0x7099…79C8", "verity token balance --json"],
  ).action(async (address: string | undefined, options: ChainOptions) => {
    const account = address === undefined ? undefined : parseAddress(address, "[address]");
    const context = await connect(options, account === undefined);
    const who = account ?? context.account!.address;
    const { decimals, symbol } = await getTokenInfo(context);
    const balance = await getTokenBalance(context.clients.publicClient, {
      address: context.contracts.token,
      account: who,
    });
    context.output.record({
      account: who,
      balance: formatUnits(balance, decimals),
      symbol,
      token: context.contracts.token,
    });
  });

  addExamples(
    addChainOptions(
      token
        .command("mint")
        .description("mint test tokens (local and test chains; the test token's owner only)")
        .argument("<amount>", "whole tokens, decimals allowed")
        .option("--to <address>", "recipient (default: the key's account)"),
    ),
    ["VERITY_KEY=0xac09…ff80 verity token mint 1000 --to 0x7099…79C8"],
    `${KEY_HELP}\nOn the local chain the owner is the deployer, development account 0.`,
  ).action(async (amount: string, options: ChainOptions & { to?: string }) => {
    const to = options.to === undefined ? undefined : parseAddress(options.to, "--to");
    const context = await connect(options, true);
    const sender = context.account!.address;
    const recipient = to ?? sender;
    if (!TEST_CHAIN_IDS.has(context.deployment.chainId)) {
      throw new TokenMintRefusedError(
        `chain ${context.deployment.chainId} is not a local or test chain: its stake token is not minted by Verity`,
      );
    }
    const owner = await getTokenOwner(context.clients.publicClient, { address: context.contracts.token });
    if (owner === undefined) {
      throw new TokenMintRefusedError(`the stake token ${context.contracts.token} is not the Verity test token`);
    }
    if (owner.toLowerCase() !== sender.toLowerCase()) {
      throw new TokenMintRefusedError(
        `only the test token's owner ${owner} may mint; ${sender} is not it (ask the owner to run \`verity token mint\`)`,
      );
    }
    const { decimals, symbol } = await getTokenInfo(context);
    const units = parseAmount(amount, decimals, "<amount>");
    context.output.progress(`minting ${amount} ${symbol} to ${recipient}`);
    const hash = await sendContractCall(
      context.clients,
      mint({ address: context.contracts.token, to: recipient, amount: units }),
    );
    const balance = await getTokenBalance(context.clients.publicClient, {
      address: context.contracts.token,
      account: recipient,
    });
    context.output.record({
      to: recipient,
      minted: formatUnits(units, decimals),
      balance: formatUnits(balance, decimals),
      symbol,
      transaction: hash,
    });
  });
}
