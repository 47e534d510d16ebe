/** Parameters shared by every Verity error. */
export type BaseErrorParameters = {
  /** Extra lines explaining what went wrong (for example the failing field). */
  details?: string | undefined;
  /** The underlying error, if any. */
  cause?: unknown;
  /** Meta lines printed between the short message and the details. */
  metaMessages?: readonly string[] | undefined;
};

/**
 * The one base class of every error Verity throws. Branch on the subclass (`instanceof`), never on message text.
 * `shortMessage` is one sentence; `details` adds what was wrong; `cause` keeps the original error.
 */
export class BaseError extends Error {
  override name = "BaseError";
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly metaMessages: readonly string[] | undefined;

  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    const details = parameters.details ?? (parameters.cause instanceof Error ? parameters.cause.message : undefined);
    const lines = [shortMessage, ...(parameters.metaMessages ?? [])];
    if (details !== undefined) lines.push(`Details: ${details}`);
    super(lines.join("\n"), parameters.cause === undefined ? undefined : { cause: parameters.cause });
    this.shortMessage = shortMessage;
    this.details = details;
    this.metaMessages = parameters.metaMessages;
  }
}

/**
 * The message of anything thrown, for logs and for wrapping errors: an `Error`'s message, else the value as text.
 * Code that branches on an error uses its class, never this text.
 */
export function getErrorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A tensor (or its canonical encoding) is malformed: unknown dtype, bad shape, wrong data length. */
export class InvalidTensorError extends BaseError {
  override name = "InvalidTensorError";
}

/** A receipt does not parse or holds an out-of-range field. */
export class InvalidReceiptError extends BaseError {
  override name = "InvalidReceiptError";
}

/** A batch file does not parse, or its receipts, root or count disagree. */
export class InvalidBatchError extends BaseError {
  override name = "InvalidBatchError";
}

/** A signature is malformed, high-s, or recovers to the wrong signer. */
export class InvalidSignatureError extends BaseError {
  override name = "InvalidSignatureError";
}

/** A Merkle proof does not lead from the leaf to the root. */
export class InvalidProofError extends BaseError {
  override name = "InvalidProofError";
}
