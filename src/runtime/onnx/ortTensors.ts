import type { InferenceSession, Tensor as OrtTensor } from "onnxruntime-node";
import { createTensor, isTensorBundle, type Tensor, type TensorDtype, type TensorPayload } from "../../protocol";
import { RuntimeInputError } from "../errors";
import type { ModelSignature } from "../signature/types";
import { validatePayload } from "../signature/validatePayload";

/** What the adapter needs of `onnxruntime-node` or `onnxruntime-web`: their common Tensor constructor. */
export interface OrtModule {
  Tensor: new (type: TensorDtype, data: Tensor["data"], dims: readonly number[]) => OrtTensor;
}

const ORT_DTYPES: ReadonlySet<string> = new Set([
  "float32",
  "float16",
  "float64",
  "int64",
  "int32",
  "int16",
  "int8",
  "uint8",
  "bool",
]);

/**
 * The session feeds for a payload, after checking it against the model's structure (names, dtypes, ranks, fixed
 * dimensions; the registered signature's policy checks are the caller's). Feeds are keyed by input name, so the order
 * in which a client lists named inputs never reaches the runtime.
 */
export function toOrtFeeds(
  ort: OrtModule,
  signature: ModelSignature,
  payload: TensorPayload,
): Record<string, OrtTensor> {
  const checked = validatePayload(signature, payload);
  const named = isTensorBundle(checked) ? checked.tensors : { [signature.inputs[0]!.name]: checked };
  const feeds: Record<string, OrtTensor> = {};
  for (const spec of signature.inputs) {
    const tensor = named[spec.name]!;
    feeds[spec.name] = new ort.Tensor(tensor.dtype, tensor.data, [...tensor.shape]);
  }
  return feeds;
}

/** Copies one ORT output into a Verity tensor (own buffer, so the session can reuse its memory). */
function fromOrtTensor(name: string, value: OrtTensor): Tensor {
  if (!ORT_DTYPES.has(value.type)) {
    throw new RuntimeInputError(`Output "${name}" has element type ${value.type}, which Verity can't commit.`);
  }
  const dtype = value.type as TensorDtype;
  const shape = value.dims.map(Number);
  const data = value.data as Tensor["data"];
  if (dtype === "int64") return createTensor("int64", shape, data as BigInt64Array);
  if (dtype === "bool")
    return createTensor(
      "bool",
      shape,
      Uint8Array.from(data as ArrayLike<number>, (v) => (v ? 1 : 0)),
    );
  return createTensor(dtype, shape, data as ArrayLike<number>);
}

/** The outputs as a payload: one unnamed tensor for a one-output model, else the bundle of every named output. */
export function fromOrtOutputs(
  results: InferenceSession.OnnxValueMapType,
  outputNames: readonly string[],
): TensorPayload {
  const tensors: Record<string, Tensor> = {};
  for (const name of outputNames) {
    const value = results[name] as OrtTensor | undefined;
    if (value === undefined) throw new RuntimeInputError(`The session returned no output "${name}".`);
    tensors[name] = fromOrtTensor(name, value);
  }
  return outputNames.length === 1 ? tensors[outputNames[0]!]! : { tensors };
}

/** The signature a runtime checks inputs against: the graph's structure, no policy (finite, byte limit). */
export function toStructuralSignature(signature: ModelSignature): ModelSignature {
  return {
    ...signature,
    inputs: signature.inputs.map((s) => ({ ...s, finite: false })),
    maxInputBytes: 0xffffffff,
  };
}
