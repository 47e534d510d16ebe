import { BaseError } from "../protocol";

/** A model artifact is malformed or not for this runtime. */
export class ModelFormatError extends BaseError {
  override name = "ModelFormatError";
}

/** An input tensor has the wrong dtype or shape for the model. */
export class RuntimeInputError extends BaseError {
  override name = "RuntimeInputError";
}

/** Inputs do not match the model's signature; `problems` names each input and what is wrong with it. */
export class InputValidationError extends RuntimeInputError {
  override name = "InputValidationError";
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super("Input does not match the model's signature.", { details: problems.join("; ") });
    this.problems = problems;
  }
}
