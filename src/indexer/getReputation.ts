/** The on-chain outcomes a node's reputation is computed from (all counts since the deployment). */
export interface ReputationInputs {
  /** Receipts the node attested (batch counts plus single receipts). */
  attestedReceipts: number;
  /** Disputes decided against the node (outcome `NodeWrong`). */
  disputesLost: number;
  /** Data-availability demands the node failed to answer (`DemandSlashed`). */
  dataAvailabilityFailures: number;
  /** Router deadlines the node missed (`NodePenalized`). */
  missedDeadlines: number;
  /** Equivocations proven against the node (two receipts for one request). */
  equivocations: number;
  /** How many times the node was jailed. */
  timesJailed: number;
  /** Whether the node is jailed now. */
  jailed: boolean;
}

/** A node's score with the parts it is made of. */
export interface Reputation {
  /** 0–1000 (per mille), an integer: `floor(1000 × volume / (volume + PRIOR + faultPoints))`, 0 while jailed. */
  score: number;
  /** The attested receipts counted (`attestedReceipts`). */
  volume: number;
  /** The weighted sum of faults. */
  faultPoints: number;
}

/** Receipts a node must attest, fault-free, to reach a score of 500: a newcomer starts at 0 and earns its way up. */
export const REPUTATION_PRIOR = 100;

/** Fault weights, in receipts: one lost dispute cancels the credit of 100 attested receipts. */
export const REPUTATION_WEIGHTS = {
  disputeLost: 100,
  dataAvailabilityFailure: 50,
  missedDeadline: 10,
  equivocation: 200,
  jailing: 100,
} as const;

/**
 * The deterministic reputation of a node (docs/reputation.md): integer arithmetic only, so every explorer, CLI and
 * contract that counts the same events gets the same number. It rises with attested receipts and falls with every
 * fault; a jailed node scores 0. It says how a node has behaved, not what it risks: read it next to the node's stake.
 */
export function getReputation(inputs: ReputationInputs): Reputation {
  const volume = Math.max(0, Math.floor(inputs.attestedReceipts));
  const faultPoints =
    REPUTATION_WEIGHTS.disputeLost * inputs.disputesLost +
    REPUTATION_WEIGHTS.dataAvailabilityFailure * inputs.dataAvailabilityFailures +
    REPUTATION_WEIGHTS.missedDeadline * inputs.missedDeadlines +
    REPUTATION_WEIGHTS.equivocation * inputs.equivocations +
    REPUTATION_WEIGHTS.jailing * inputs.timesJailed;
  const score = inputs.jailed ? 0 : Math.floor((1000 * volume) / (volume + REPUTATION_PRIOR + faultPoints));
  return { score, volume, faultPoints };
}
