import { BaseError } from "../protocol";

/** Content (a batch file or a tensor) could not be fetched from the content store or the node's endpoint. */
export class ContentUnavailableError extends BaseError {
  override name = "ContentUnavailableError";
}

/** Content was fetched but does not hash to what the chain or the receipt commits to. */
export class ContentMismatchError extends BaseError {
  override name = "ContentMismatchError";
}
