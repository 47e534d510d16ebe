import { BaseError } from "../protocol";
import { ModelFormatError } from "./errors";
import { findKnownRuntime, KNOWN_RUNTIMES } from "./knownRuntimes";
import { readOnnxSignature } from "./onnx/readOnnxSignature";
import { getModelSignatureUri, serializeModelSignature } from "./signature/serializeModelSignature";
import type { ModelSignature } from "./signature/types";

/** Registration was refused before any transaction; `shortMessage` says why and what to do. */
export class RegistrationRefusedError extends BaseError {
  override name = "RegistrationRefusedError";
}

export interface PrepareModelRegistrationParameters {
  artifact: Uint8Array;
  runtime: string;
  mode: "exact" | "tolerance";
  /** Register under a runtime this repository doesn't know (the artifact can't be checked). */
  allowUnknownRuntime?: boolean;
  /** Largest value of each dynamic input dimension (ONNX). */
  maxDims?: Readonly<Record<string, number>>;
  /** Largest canonical input encoding (ONNX; default 1 MiB). */
  maxInputBytes?: number;
}

export interface PrepareModelRegistrationReturnType {
  /** The signature (ONNX runtimes), its canonical text and content address (the model's metadata URI). */
  signature?: { document: ModelSignature; text: string; uri: string };
  /** False when the runtime is unknown and the artifact was not checked. */
  checked: boolean;
}

/**
 * Everything registration must know before it sends a transaction: the runtime is one we know (or
 * `allowUnknownRuntime`), the mode is one that runtime can verify, the artifact loads in it (an unparsable ONNX file,
 * a malformed integer model are refused with the runtime's reason), and for ONNX the signature read from the graph
 * with the declared maxima. Throws {@link RegistrationRefusedError}.
 */
export async function prepareModelRegistration(
  parameters: PrepareModelRegistrationParameters,
): Promise<PrepareModelRegistrationReturnType> {
  const known = findKnownRuntime(parameters.runtime);
  if (!known) {
    if (parameters.allowUnknownRuntime) return { checked: false };
    throw new RegistrationRefusedError(`Unknown runtime "${parameters.runtime}".`, {
      details:
        `this repository runs ${KNOWN_RUNTIMES.map((r) => r.name).join(", ")}; nobody here could serve or replay ` +
        "the model. Pass --allow-unknown-runtime to register it anyway.",
    });
  }
  if (!known.modes.includes(parameters.mode)) {
    throw new RegistrationRefusedError(`Runtime ${known.name} can't verify ${parameters.mode.toUpperCase()} models.`, {
      details:
        parameters.mode === "exact"
          ? "native ONNX Runtime differs across machines in low bits; register TOLERANCE, or EXACT under the pinned " +
            "WASM runtime, or compile to the integer runtime (verity model compile)"
          : `use --mode ${known.modes.join(" or ")}`,
    });
  }
  let signature: PrepareModelRegistrationReturnType["signature"];
  try {
    if (known.onnx) {
      const document = readOnnxSignature(parameters.artifact, {
        ...(parameters.maxDims ? { maxDims: parameters.maxDims } : {}),
        ...(parameters.maxInputBytes ? { maxInputBytes: parameters.maxInputBytes } : {}),
      });
      signature = { document, text: serializeModelSignature(document), uri: getModelSignatureUri(document) };
    }
    const loaded = await known.create().load(parameters.artifact);
    await loaded.dispose();
  } catch (error) {
    if (error instanceof ModelFormatError) {
      throw new RegistrationRefusedError(`The ${known.name} runtime refuses the artifact: ${error.shortMessage}`, {
        details: error.details,
      });
    }
    throw error;
  }
  return signature ? { signature, checked: true } : { checked: true };
}
