import { BaseError } from "../protocol";

/** A configuration value is missing or malformed; the message names the setting and what is wrong with it. */
export class ConfigError extends BaseError {
  override name = "ConfigError";
}
