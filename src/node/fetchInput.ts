import { BaseError } from "../protocol";
import { getErrorMessage } from "../protocol";

/** An input could not be fetched (network, HTTP status, unsupported or malformed URI). */
export class InputUnavailableError extends BaseError {
  override name = "InputUnavailableError";
  /** False when retrying cannot help (a malformed or unsupported URI, an input too large). */
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean, cause?: unknown) {
    super(message, { cause });
    this.retryable = retryable;
  }
}

export interface FetchInputOptions {
  timeoutMs?: number;
  /** Largest input accepted, in bytes (default 16 MiB). */
  maxBytes?: number;
}

/**
 * Fetches the canonical tensor encoding an on-chain request names: a `data:` URI with base64 content
 * (`data:application/octet-stream;base64,...`) or an `http(s)://` URL answering the bytes.
 */
export async function fetchInput(uri: string, options: FetchInputOptions = {}): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  if (uri.startsWith("data:")) {
    const comma = uri.indexOf(",");
    if (comma < 0) throw new InputUnavailableError("data: URI without a comma.", false);
    const header = uri.slice(5, comma);
    if (!header.split(";").includes("base64")) {
      throw new InputUnavailableError("Only base64 data: URIs are supported (data:<type>;base64,<bytes>).", false);
    }
    const body = uri.slice(comma + 1);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new InputUnavailableError("data: URI is not valid base64.", false);
    const bytes = new Uint8Array(Buffer.from(body, "base64"));
    if (bytes.length > maxBytes) throw new InputUnavailableError(`Input larger than ${maxBytes} bytes.`, false);
    return bytes;
  }
  if (uri.startsWith("http://") || uri.startsWith("https://")) {
    let response: Response;
    try {
      response = await fetch(uri, { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
    } catch (cause) {
      throw new InputUnavailableError(`Cannot fetch ${uri}: ${getErrorMessage(cause)}`, true, cause);
    }
    if (!response.ok) throw new InputUnavailableError(`Fetching ${uri} answered HTTP ${response.status}.`, true);
    const length = Number(response.headers.get("content-length") ?? "0");
    if (length > maxBytes) throw new InputUnavailableError(`Input larger than ${maxBytes} bytes.`, false);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.length > maxBytes) throw new InputUnavailableError(`Input larger than ${maxBytes} bytes.`, false);
    return bytes;
  }
  throw new InputUnavailableError(`Unsupported input URI scheme: ${uri.slice(0, 64)}`, false);
}

/** A `data:` URI of a canonical tensor encoding, the form {@link fetchInput} reads without a network. */
export function toDataUri(encoding: Uint8Array): string {
  return `data:application/octet-stream;base64,${Buffer.from(encoding).toString("base64")}`;
}
