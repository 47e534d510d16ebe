/** Exit codes every `verity` command uses, so scripts can branch on them. */
export const ExitCode = {
  /** Done as asked. */
  Ok: 0,
  /** The work ran but found a problem (an invalid receipt, a failed expectation). */
  Failed: 1,
  /** Bad arguments or configuration. */
  Usage: 2,
  /** The chain or a node could not be reached. */
  Unavailable: 3,
  /** The chain refused the transaction (a revert). */
  Rejected: 4,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
