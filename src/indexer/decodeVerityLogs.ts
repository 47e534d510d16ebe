import { decodeEventLog, type Abi, type Address, type Hex, type Log } from "viem";
import {
  attestationRegistryAbi,
  dataAvailabilityManagerAbi,
  disputeManagerAbi,
  equivocationSlasherAbi,
  fraudGameAbi,
  inferenceRouterAbi,
  modelRegistryAbi,
  nodeRegistryAbi,
  stakingAbi,
} from "../chain/abis.generated";

/** The contracts whose events the indexer follows, by their name in the deployment file. */
export const INDEXED_CONTRACTS = {
  modelRegistry: modelRegistryAbi,
  nodeRegistry: nodeRegistryAbi,
  staking: stakingAbi,
  attestationRegistry: attestationRegistryAbi,
  disputeManager: disputeManagerAbi,
  dataAvailabilityManager: dataAvailabilityManagerAbi,
  inferenceRouter: inferenceRouterAbi,
  equivocationSlasher: equivocationSlasherAbi,
  fraudGame: fraudGameAbi,
} as const satisfies Record<string, Abi>;

export type IndexedContract = keyof typeof INDEXED_CONTRACTS;

/** A JSON-safe event argument: bigints become decimal strings, addresses and hashes lowercase hex. */
export type EventValue = string | number | boolean | null | EventValue[] | { [key: string]: EventValue };

/** One decoded Verity event with its place in the chain. */
export interface VerityEvent {
  blockNumber: number;
  logIndex: number;
  txHash: Hex;
  contract: IndexedContract;
  name: string;
  args: Record<string, EventValue>;
}

/**
 * Decodes raw logs of the indexed contracts (`addresses` maps each contract address to its name). Logs of other
 * addresses, or that the contract's ABI does not know, are skipped: they are not Verity events.
 */
export function decodeVerityLogs(logs: readonly Log[], addresses: ReadonlyMap<string, IndexedContract>): VerityEvent[] {
  const events: VerityEvent[] = [];
  for (const log of logs) {
    const contract = addresses.get(log.address.toLowerCase());
    if (!contract || log.blockNumber === null || log.logIndex === null || log.transactionHash === null) continue;
    let decoded: { eventName: string; args: unknown };
    try {
      decoded = decodeEventLog({
        abi: INDEXED_CONTRACTS[contract] as Abi,
        data: log.data,
        topics: log.topics as [Hex, ...Hex[]],
        strict: true,
      }) as { eventName: string; args: unknown };
    } catch {
      continue;
    }
    events.push({
      blockNumber: Number(log.blockNumber),
      logIndex: log.logIndex,
      txHash: log.transactionHash,
      contract,
      name: decoded.eventName,
      args: toEventValue(decoded.args) as Record<string, EventValue>,
    });
  }
  return events.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
}

/** The address → contract map for a deployment's `contracts` record (unknown names are ignored). */
export function getIndexedAddresses(
  contracts: Readonly<Record<string, string | undefined>>,
): Map<string, IndexedContract> {
  const map = new Map<string, IndexedContract>();
  for (const name of Object.keys(INDEXED_CONTRACTS) as IndexedContract[]) {
    const address = contracts[name];
    if (address) map.set(address.toLowerCase(), name);
  }
  return map;
}

function toEventValue(value: unknown): EventValue {
  if (typeof value === "bigint") return value.toString(10);
  if (typeof value === "string") return value.startsWith("0x") ? value.toLowerCase() : value;
  if (typeof value === "number" || typeof value === "boolean" || value === null) return value;
  if (Array.isArray(value)) return value.map(toEventValue);
  if (typeof value === "object" && value !== undefined) {
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, toEventValue(v)]));
  }
  return null;
}

/** Narrow accessors for decoded arguments. */
export const arg = {
  text(args: Record<string, EventValue>, key: string): string {
    const value = args[key];
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    throw new TypeError(`event argument ${key} is not a scalar`);
  },
  number(args: Record<string, EventValue>, key: string): number {
    return Number(arg.text(args, key));
  },
  address(args: Record<string, EventValue>, key: string): Address {
    return arg.text(args, key) as Address;
  },
};
