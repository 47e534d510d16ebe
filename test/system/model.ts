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
  /** A judgment found it wrong: it must stay rejected, never final, never paid. */
  rejected?: boolean;
  /** The router credited its node a fee for it. */
  paid?: boolean;
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
  /** The bond every challenger (opening or joining) posts: max(bondFloor, atRisk × bondBps) with its parameters. */
  bond: bigint;
  challengeBlock: number;
  /** Each verifier's sortition weight at the challenge block, in slot order. */
  weights: bigint[];
  challenger: string;
  beneficiary: string;
  /** Opened by the router on a disagreement (no bond; the treasury is the beneficiary). */
  router: boolean;
  /** Until resolved or arbitrated (an expired dispute stays open until someone resolves it). */
  open: boolean;
  /** Each beneficiary's bond whose share of the challengers' pot is not credited yet. */
  bonds: Map<string, bigint>;
  /** After settlement: what the challengers' beneficiaries still have to be credited. */
  pot: bigint;
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
  /** What it locked (and would slash): fixed at demand time. */
  locked: bigint;
  open: boolean;
}

export interface TrackedFulfilment {
  node: string;
  receipt: TrackedReceipt;
}

/**
 * How a consumer gives its input: on chain with the request; by a URI it published off chain (honest nodes fetch it);
 * by a URI it never published (honest nodes claim it unavailable until someone puts it on chain).
 */
export type InputMode = "onChain" | "offChain" | "withheld";

export interface TrackedRequest {
  id: string;
  consumer: string;
  fee: bigint;
  inputHash: string;
  /** The input's bytes (keccak256 of them is `inputHash`). */
  input: Hex;
  mode: InputMode;
  /** The input is on chain (given with the request or published since). */
  onChain: boolean;
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

  /** Whether anything open (a dispute, a data demand) locks `node`'s stake. */
  holds(node: string): boolean {
    const lower = node.toLowerCase();
    return (
      this.disputes.some((d) => d.open && d.node.address.toLowerCase() === lower) ||
      this.demands.some((d) => d.open && d.node.address.toLowerCase() === lower)
    );
  }

  /** What open disputes and demands lock of `node`'s stake: exactly what each fixed when it opened. */
  locks(node: string): bigint {
    const lower = node.toLowerCase();
    const mine = (n: { address: string }) => n.address.toLowerCase() === lower;
    return (
      this.disputes.filter((d) => d.open && mine(d.node)).reduce((a, d) => a + d.atRisk, 0n) +
      this.demands.filter((d) => d.open && mine(d.node)).reduce((a, d) => a + d.locked, 0n)
    );
  }

  /** What the dispute manager holds for open disputes: every challenger's bond, opening and joined. */
  openBonds(): bigint {
    return this.disputes
      .filter((d) => d.open)
      .reduce((sum, d) => sum + [...d.bonds.values()].reduce((a, b) => a + b, 0n), 0n);
  }

  /** Challengers' shares of settled disputes not credited yet. */
  challengerShares(): bigint {
    return this.disputes.filter((d) => !d.open).reduce((sum, d) => sum + d.pot, 0n);
  }

  /** Fees the router escrows for open requests. */
  escrow(): bigint {
    return this.requests.filter((r) => r.open).reduce((a, r) => a + r.fee, 0n);
  }

  /** Bonds the DA manager holds for open demands. */
  demandBonds(): bigint {
    return this.demands.filter((d) => d.open).reduce((a, d) => a + d.bond, 0n);
  }

  fresh(label: string): Hex {
    return keccak256(AbiCoder.defaultAbiCoder().encode(["string", "uint256"], [label, ++this.nonce])) as Hex;
  }
}
