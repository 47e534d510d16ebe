import type { Address } from "viem";
import type { Logger } from "pino";
import type { VerityClients } from "../chain/createVerityClients";
import type { IndexedContract } from "./decodeVerityLogs";
import type { IndexStore } from "./IndexStore";

/** Everything the indexer's steps share: validated once at start, then passed down. */
export interface IndexerContext {
  clients: VerityClients;
  store: IndexStore;
  /** Lowercase contract address → contract name, for every indexed contract of the deployment. */
  addresses: ReadonlyMap<string, IndexedContract>;
  stakingAddress: Address;
  /** Where reading starts on a fresh index (the deployment's start block). */
  startBlock: bigint;
  /** Blocks an event must be under before it is read (reorg safety). */
  confirmations: bigint;
  /** Most blocks per `eth_getLogs` query. */
  maxBlockRange: bigint;
  /** Local directory of batch files (`batches/<dataHash>.json`), searched before node endpoints. */
  contentDir: string | undefined;
  logger: Logger;
}
