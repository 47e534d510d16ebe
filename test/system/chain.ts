import hre from "hardhat";
import { Interface } from "ethers";
import type { ContractTransactionResponse, Log, TransactionReceipt } from "ethers";

/** Every error a Verity contract can raise, for decoding reverts that bubble up through other contracts. */
let errorInterface: Interface | undefined;
async function allErrors(): Promise<Interface> {
  if (errorInterface) return errorInterface;
  const fragments = new Map<string, unknown>();
  for (const name of await hre.artifacts.getAllFullyQualifiedNames()) {
    if (!name.startsWith("contracts/") && !name.startsWith("@openzeppelin/")) continue;
    const artifact = await hre.artifacts.readArtifact(name);
    for (const item of artifact.abi) {
      if (item.type !== "error") continue;
      const key = `${item.name}(${(item.inputs ?? []).map((i: { type: string }) => i.type).join(",")})`;
      fragments.set(key, item);
    }
  }
  errorInterface = new Interface([...fragments.values()] as never[]);
  return errorInterface;
}

function revertData(error: unknown): string | undefined {
  const e = error as { data?: unknown; error?: { data?: unknown }; info?: { error?: { data?: unknown } } };
  for (const candidate of [e?.data, e?.error?.data, e?.info?.error?.data]) {
    if (typeof candidate === "string" && candidate.startsWith("0x")) return candidate;
    if (candidate && typeof candidate === "object" && "data" in candidate) {
      const inner = (candidate as { data?: unknown }).data;
      if (typeof inner === "string" && inner.startsWith("0x")) return inner;
    }
  }
  return undefined;
}

/** The name of the custom error `error` carries, or undefined (a plain revert, a panic or no revert at all). */
export async function revertName(error: unknown): Promise<string | undefined> {
  const data = revertData(error);
  if (!data || data === "0x") return undefined;
  try {
    return (await allErrors()).parseError(data)?.name;
  } catch {
    return undefined;
  }
}

/**
 * Sends a transaction; returns its receipt, or `{ reverted: name }` when it reverted with a custom error in `allowed`.
 * Any other revert is rethrown (a command that the model says should work must work).
 */
export async function send(
  what: string,
  tx: () => Promise<ContractTransactionResponse>,
  allowed: readonly string[] = [],
): Promise<TransactionReceipt | { reverted: string }> {
  try {
    const response = await tx();
    const receipt = await response.wait();
    if (!receipt) throw new Error(`${what}: no receipt`);
    return receipt;
  } catch (error) {
    const name = await revertName(error);
    if (name && allowed.includes(name)) return { reverted: name };
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new Error(`${what} reverted unexpectedly: ${name ?? message}`);
  }
}

export function reverted(r: TransactionReceipt | { reverted: string }): r is { reverted: string } {
  return "reverted" in r;
}

/** The logs of `receipt` that `contract` emitted, parsed (unparseable ones dropped). */
export function eventsOf(
  receipt: TransactionReceipt,
  contract: { interface: Interface; target: unknown },
  name: string,
) {
  const address = String(contract.target).toLowerCase();
  const out = [];
  for (const log of receipt.logs as Log[]) {
    if (log.address.toLowerCase() !== address) continue;
    try {
      const parsed = contract.interface.parseLog(log);
      if (parsed?.name === name) out.push(parsed);
    } catch {
      // another event of the same contract
    }
  }
  return out;
}
