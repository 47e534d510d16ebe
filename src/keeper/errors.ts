import { BaseError } from "../protocol";

/** A failure that will not go away by retrying (a 4xx from a node, a wrong signature, a revert). */
export class PermanentError extends BaseError {
  override name = "PermanentError";
}

/** A node answered a batch request with something the keeper cannot use. */
export class NodeBatchError extends BaseError {
  override name = "NodeBatchError";
  readonly status: number | undefined;
  /** The `error` field of the node's JSON answer (e.g. `SequenceConflict`), when it sent one. */
  readonly code: string | undefined;
  /** The node's whole JSON answer, when it sent one (the batch in the way, the receipts attested elsewhere). */
  readonly answer: Record<string, unknown> | undefined;
  constructor(message: string, status?: number, details?: string) {
    super(message, { details });
    this.status = status;
    let answer: unknown;
    try {
      answer = details === undefined ? undefined : JSON.parse(details);
    } catch {
      answer = undefined;
    }
    this.answer = typeof answer === "object" && answer !== null ? (answer as Record<string, unknown>) : undefined;
    this.code = typeof this.answer?.error === "string" ? this.answer.error : undefined;
  }
}
