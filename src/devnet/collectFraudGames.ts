import { decodeFunctionData, type Address, type Hex } from "viem";
import { fraudGameAbi } from "../chain/abis.generated";
import { FRAUD_GAME_MOVE_EVENTS, getFraudGameEvents } from "../chain/actions/fraudGame";
import { getReceiptState } from "../chain/actions/getReceiptState";
import { getSlashableStake } from "../chain/actions/getSlashableStake";
import { getTokenBalance } from "../chain/actions/getTokenBalance";
import type { LocalSystem } from "./startLocalSystem";

/** One transaction that moved a game: the function called (read from the transaction's input), who sent it, its gas. */
export interface FraudMove {
  name: string;
  by: "challenger" | "node" | "other";
  gas: bigint;
}

/** A decided fraud game as the chain records it, with what it did to the node's stake and the challenger's tokens. */
export interface FraudGameRecord {
  id: bigint;
  receiptHash: Hex;
  node: Address;
  challenger: Address;
  beneficiary: Address;
  bond: bigint;
  amountAtRisk: bigint;
  /** `IFraudGame.Outcome`: 1 node wrong, 2 node right (0 while undecided). */
  outcome: number;
  /** `IFraudGame.Reason` of the decision. */
  reason: number;
  slashed: bigint;
  challengerReward: bigint;
  /** The node's slashable stake just before the deciding transaction minus just after it. */
  stakeDrop: bigint;
  /** `IAttestationRegistry.ReceiptState` of the receipt now. */
  receiptState: number;
  /** What the challenger's token balance lost in the opening transaction (the bond it paid). */
  bondPaid: bigint;
  /** What the beneficiary's token balance gained in its `claim` transactions on the game contract. */
  claimedByBeneficiary: bigint;
  /** The opening and every move, in chain order. */
  moves: FraudMove[];
}

/**
 * Reads fraud games `ids` back from the chain: their events, the transactions that carried them (function name from
 * the calldata, gas from the receipt), the node's stake around the deciding transaction, the receipt's state, and the
 * challenger's balance around its bond and its claims.
 */
export async function collectFraudGames(system: LocalSystem, ids: readonly bigint[]): Promise<FraudGameRecord[]> {
  const { publicClient } = system.clients(0);
  const address = system.addresses.fraudGame;
  const fromBlock = BigInt(system.deployment.startBlock);
  const balance = (account: Address, blockNumber: bigint) =>
    getTokenBalance(publicClient, { address: system.addresses.token, account, blockNumber });
  const records: FraudGameRecord[] = [];
  for (const id of ids) {
    const [opened] = await getFraudGameEvents(publicClient, {
      address,
      eventName: "GameOpened",
      args: { id },
      fromBlock,
    });
    if (!opened) throw new Error(`no fraud game ${id}`);
    const [resolved] = await getFraudGameEvents(publicClient, {
      address,
      eventName: "GameResolved",
      args: { id },
      fromBlock: opened.blockNumber,
    });
    if (!resolved) throw new Error(`fraud game ${id} is not decided`);
    const { receiptHash, node, challenger, beneficiary, bond, amountAtRisk } = opened.args;
    const logs = (
      await Promise.all(
        FRAUD_GAME_MOVE_EVENTS.map((eventName) =>
          getFraudGameEvents(publicClient, {
            address,
            eventName,
            args: { id } as never,
            fromBlock: opened.blockNumber,
          }),
        ),
      )
    ).flat();
    logs.sort((a, b) => Number(a.blockNumber - b.blockNumber) || a.logIndex - b.logIndex);
    const moves: FraudMove[] = [];
    for (const hash of new Set(logs.map((log) => log.transactionHash))) {
      const [transaction, receipt] = await Promise.all([
        publicClient.getTransaction({ hash }),
        publicClient.getTransactionReceipt({ hash }),
      ]);
      const { functionName } = decodeFunctionData({ abi: fraudGameAbi, data: transaction.input });
      const from = transaction.from.toLowerCase();
      const by = from === challenger.toLowerCase() ? "challenger" : from === node.toLowerCase() ? "node" : "other";
      moves.push({ name: functionName, by, gas: receipt.gasUsed });
    }
    const stake = (blockNumber: bigint) =>
      getSlashableStake(publicClient, { address: system.addresses.staking, node, blockNumber });
    const claims = await getFraudGameEvents(publicClient, {
      address,
      eventName: "CreditClaimed",
      args: { account: beneficiary },
      fromBlock: resolved.blockNumber,
    });
    let claimedByBeneficiary = 0n;
    for (const claim of claims)
      claimedByBeneficiary +=
        (await balance(claim.args.to, claim.blockNumber)) - (await balance(claim.args.to, claim.blockNumber - 1n));
    records.push({
      id,
      receiptHash,
      node,
      challenger,
      beneficiary,
      bond,
      amountAtRisk,
      outcome: resolved.args.outcome,
      reason: resolved.args.reason,
      slashed: resolved.args.slashed,
      challengerReward: resolved.args.challengerReward,
      stakeDrop: (await stake(resolved.blockNumber - 1n)) - (await stake(resolved.blockNumber)),
      receiptState: await getReceiptState(publicClient, { address: system.addresses.attestationRegistry, receiptHash }),
      bondPaid: (await balance(challenger, opened.blockNumber - 1n)) - (await balance(challenger, opened.blockNumber)),
      claimedByBeneficiary,
      moves,
    });
  }
  return records;
}
