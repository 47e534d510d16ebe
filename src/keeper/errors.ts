import { BaseError } from "../protocol";

/** A failure that will not go away by retrying (a 4xx from a node, a wrong signature, a revert). */
export class PermanentError extends BaseError {
  override name = "PermanentError";
}

/** A node answered a batch request with something the keeper cannot use. */
export class NodeBatchError extends BaseError {
  override name = "NodeBatchError";
  readonly status: number | undefined;
  constructor(message: string, status?: number, details?: string) {
    super(message, { details });
    this.status = status;
  }
}
