/**
 * Who is who in the demo: indexes of `hardhat node`'s development accounts (mnemonic "test … junk"). Operators hold
 * stake and send transactions; each node and verifier signs with a separate signer key, as production nodes do.
 */
export const DEMO_CAST = {
  /** Deployer, model owner, holder of the admin roles. */
  owner: 0,
  /**
   * Three inference nodes; the third corrupts a share of its answers: on the runtime-v2 digits CNN one trace element,
   * propagated (so only the bisection and the on-chain one-step can catch it), on the other models the output.
   */
  nodes: [
    { operator: 1, signer: 13, dishonestShare: 0, dishonestMode: "output" },
    { operator: 2, signer: 14, dishonestShare: 0, dishonestMode: "output" },
    { operator: 3, signer: 15, dishonestShare: 0.5, dishonestMode: "trace" },
  ],
  /** Three verifiers; the first audits and challenges, all three may be drawn for committees (never their own). */
  verifiers: [
    { operator: 4, signer: 16, challenges: true },
    { operator: 5, signer: 17, challenges: false },
    { operator: 6, signer: 18, challenges: false },
  ],
  /** Pays for on-chain requests. */
  consumer: 7,
  /** Relays batches and settles requests (needs only gas). */
  keeper: 8,
} as const;
