import { decodeFunctionData, type Abi, type Client, type Hex } from "viem";
import { getTransaction, getTransactionReceipt } from "viem/actions";

/** Who sent a transaction, the function it called (when `abi` knows it) and the gas it used. */
export interface TransactionFacts {
  txHash: Hex;
  sender: Hex;
  functionName: string | null;
  gasUsed: bigint;
}

/** Reads a mined transaction and its receipt: its sender, the function of `abi` its calldata names, its gas used. */
export async function getTransactionFacts(
  client: Client,
  { hash, abi }: { hash: Hex; abi: Abi },
): Promise<TransactionFacts> {
  const [transaction, receipt] = await Promise.all([
    getTransaction(client, { hash }),
    getTransactionReceipt(client, { hash }),
  ]);
  let functionName: string | null = null;
  try {
    functionName = decodeFunctionData({ abi, data: transaction.input }).functionName;
  } catch {
    functionName = null;
  }
  return { txHash: hash, sender: transaction.from, functionName, gasUsed: receipt.gasUsed };
}
