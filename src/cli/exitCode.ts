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
  /** `receipt verify`: signed, not attested on chain yet. */
  ReceiptPending: 5,
  /** `receipt verify`: attested, its challenge window still open (0 with `--accept-open-window`). */
  ReceiptWindowOpen: 6,
  /** `receipt verify`: under dispute. */
  ReceiptDisputed: 7,
  /** `receipt verify`: a dispute found it wrong. */
  ReceiptRejected: 8,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A command's outcome that is not success but not a crash either: the message is printed, the code returned. */
export class ExitCodeError extends Error {
  override name = "ExitCodeError";
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}
