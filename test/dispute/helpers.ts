import { ethers } from "hardhat";
import type { Receipt } from "../helpers/receipts";
import { EvidenceKind } from "../../src/chain/enums.generated";

/** The on-chain enums, generated from the compiler output (src/chain/enums.generated.ts). */
export { DataAvailabilityManagerOutcome as Outcome, DemandState, EvidenceKind } from "../../src/chain/enums.generated";

/** `IEquivocationSlasher.Evidence` as the contract takes it. */
export interface Evidence {
  receipt: Receipt;
  kind: EvidenceKind;
  signature: string;
  batchId: string;
  proof: string[];
}

export const BPS = 10_000n;

/** Evidence by the node's signature over the receipt's EIP-712 digest. */
export function bySignature(receipt: Receipt, signature: string): Evidence {
  return { receipt, kind: EvidenceKind.Signature, signature, batchId: ethers.ZeroHash, proof: [] };
}

/** Evidence by on-chain attestation: in `batchId` with `proof`, or singly when `batchId` is zero. */
export function byAttestation(receipt: Receipt, batchId: string = ethers.ZeroHash, proof: string[] = []): Evidence {
  return { receipt, kind: EvidenceKind.Attestation, signature: "0x", batchId, proof };
}

/** `x * bps / 10,000` rounded up: what the contracts slash. */
export function ceilBps(x: bigint, bps: bigint): bigint {
  return (x * bps + BPS - 1n) / BPS;
}

/** `x * bps / 10,000` rounded down: what `Staking` pays a recipient. */
export function floorBps(x: bigint, bps: bigint): bigint {
  return (x * bps) / BPS;
}
