import { BaseError } from "../protocol";

export { ContentMismatchError, ContentUnavailableError } from "../service/contentErrors";

/** No runtime here can replay the model (unknown model id, unknown runtime, or a missing artifact). */
export class UnknownModelError extends BaseError {
  override name = "UnknownModelError";
}
