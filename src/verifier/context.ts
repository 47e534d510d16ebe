import type { Address } from "viem";
import type { Logger } from "pino";
import type { VerityClients } from "../chain/createVerityClients";
import type { ModelCatalog } from "./ModelCatalog";
import type { VerdictStore } from "./VerdictStore";

/** The deployed contracts the verifier talks to. */
export interface VerifierAddresses {
  token: Address;
  modelRegistry: Address;
  nodeRegistry: Address;
  attestationRegistry: Address;
  disputeManager: Address;
  /** The fraud-proof game: wrong runtime-v2 receipts are challenged there (without it, through the committee). */
  fraudGame?: Address | undefined;
}

/** Everything the verifier's steps share: validated once at start, then passed down. */
export interface VerifierContext {
  clients: VerityClients;
  chainId: number;
  addresses: VerifierAddresses;
  store: VerdictStore;
  catalog: ModelCatalog;
  logger: Logger;
  /** Local directory of batch files and tensors, searched before node endpoints. */
  contentDir: string | undefined;
  /** Share of receipts audited, in [0, 1]. */
  auditShare: number;
  /** Blocks to wait before reading an event (reorg safety). */
  confirmations: bigint;
  /** Most blocks per `eth_getLogs` query. */
  maxBlockRange: bigint;
  /** Where challenge refunds and rewards are credited (defaults to the verifier's account). */
  beneficiary: Address;
  /** Open challenges on wrong results (default true); with false the verifier only records verdicts. */
  challenge: boolean;
}
