import { AbiCoder, keccak256 } from "ethers";
import type { Hex } from "viem";
import type { NodeActor, Receipt } from "./system";

/** A receipt some node signed and got attested, with what the test knows about it. */
export interface TrackedReceipt {
  receipt: Receipt;
  hash: string;
  node: NodeActor;
  /** Whether its output is the true output of its input. */
  correct: boolean;
  /** Zero for a receipt attested singly. */
  batchId: string;
  proof: string[];
}

export interface TrackedBatch {
  id: string;
  node: NodeActor;
  receipts: TrackedReceipt[];
  /** Receipt hashes already revealed by an answer. */
  revealed: Set<string>;
}

export interface TrackedDispute {
  id: bigint;
  node: NodeActor;
  receipt: TrackedReceipt;
  /** The amount at risk, fixed at challenge: the node's slashable stake then × slashBps then. */
  atRisk: bigint;
  challengeBlock: number;
  /** Each verifier's sortition weight at the challenge block, in slot order. */
  weights: bigint[];
  challenger: string;
  beneficiary: string;
  /** Until resolved or arbitrated (an expired dispute stays open until someone resolves it). */
  open: boolean;
  committee?: string[];
  salts: Map<string, string>;
  revealed: Set<string>;
  outcome?: "NodeWrong" | "NodeRight" | "Expired";
}

export interface TrackedDemand {
  id: bigint;
  node: NodeActor;
  batch: TrackedBatch;
  demander: string;
  bond: bigint;
  open: boolean;
}

export interface TrackedFulfilment {
  node: string;
  receipt: TrackedReceipt;
}

export interface TrackedRequest {
  id: string;
  consumer: string;
  fee: bigint;
  inputHash: string;
  /** False when the consumer never published the input: no honest node can serve it. */
  available: boolean;
  open: boolean;
  fulfilments: TrackedFulfilment[];
}

export interface SignedReceipt {
  receipt: Receipt;
  signature: Hex;
}

/** Two conflicting receipts the lying node signed for one request. */
export interface Equivocation {
  node: NodeActor;
  a: SignedReceipt;
  b: SignedReceipt;
  proven: boolean;
}

/** What the test keeps beside the chain: the truth, the money that went in and out, and what is open. */
export class Model {
  /** What was staked for each node or verifier (stake and stakeFor), and what it withdrew. */
  staked = new Map<string, bigint>();
  withdrawn = new Map<string, bigint>();
  receipts: TrackedReceipt[] = [];
  batches: TrackedBatch[] = [];
  disputes: TrackedDispute[] = [];
  demands: TrackedDemand[] = [];
  requests: TrackedRequest[] = [];
  equivocations: Equivocation[] = [];
  /** The token's total supply at the start: no one mints during a run. */
  supply = 0n;
  /** A short log of what happened, printed with a failure. */
  log: string[] = [];
  nonce = 0;

  add(map: Map<string, bigint>, key: string, amount: bigint) {
    map.set(key, (map.get(key) ?? 0n) + amount);
  }

  get(map: Map<string, bigint>, key: string): bigint {
    return map.get(key) ?? 0n;
  }

  /** Whether anything open (a dispute, a data demand) holds `node`'s stake. */
  holds(node: string): boolean {
    const lower = node.toLowerCase();
    return (
      this.disputes.some((d) => d.open && d.node.address.toLowerCase() === lower) ||
      this.demands.some((d) => d.open && d.node.address.toLowerCase() === lower)
    );
  }

  fresh(label: string): Hex {
    return keccak256(AbiCoder.defaultAbiCoder().encode(["string", "uint256"], [label, ++this.nonce])) as Hex;
  }
}

/**
 * The committee a dispute must get: stake-weighted sortition over `weights` (the verifiers' weights at the challenge
 * block, in sortition-tree slot order) seeded by `entropy`, exactly as DisputeManager draws it: attempt `a` picks the
 * verifier whose cumulative-weight range holds `keccak256(abi.encode(entropy, id, a)) % total`, skipping members
 * already drawn and `excluded` accounts, at most `size × 8` attempts. Undefined when too few can be drawn.
 */
export function expectedCommittee(
  entropy: string,
  id: bigint,
  verifiers: string[],
  weights: bigint[],
  size: number,
  excluded: Set<string>,
): string[] | undefined {
  const total = weights.reduce((a, b) => a + b, 0n);
  if (total === 0n) return undefined;
  const committee: string[] = [];
  const coder = AbiCoder.defaultAbiCoder();
  for (let attempt = 0; attempt < size * 8 && committee.length < size; attempt++) {
    const value = BigInt(keccak256(coder.encode(["bytes32", "uint256", "uint256"], [entropy, id, attempt]))) % total;
    let prefix = 0n;
    let index = 0;
    for (; index < weights.length; index++) {
      prefix += weights[index]!;
      if (prefix > value) break;
    }
    const member = verifiers[index]!;
    if (committee.includes(member) || excluded.has(member.toLowerCase())) continue;
    committee.push(member);
  }
  return committee.length < size ? undefined : committee;
}
