import { BaseError } from "../protocol";

/** A model artifact is malformed or not for this runtime. */
export class ModelFormatError extends BaseError {
  override name = "ModelFormatError";
}

/** An input tensor has the wrong dtype or shape for the model. */
export class RuntimeInputError extends BaseError {
  override name = "RuntimeInputError";
}
