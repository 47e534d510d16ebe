import type { onnx } from "onnx-proto";
import { ModelFormatError } from "../errors";
import type { DimSpec, ModelSignature, TensorSpec } from "../signature/types";
import { FLOAT_DTYPES } from "../signature/types";
import { ONNX_DTYPES, getOnnxDtypeName } from "./onnxDtypes";

export interface ReadOnnxSignatureParameters {
  /** Largest value of each dynamic dimension, by its `dim_param` name or `<input>:<axis>` for an unnamed one. */
  maxDims?: Readonly<Record<string, number>>;
  /** Largest canonical input encoding accepted (default 1 MiB). */
  maxInputBytes?: number;
  /** When false, dynamic input dimensions without a declared maximum are left open instead of refused. */
  requireMaxDims?: boolean;
}

/** TensorProto.DataLocation.EXTERNAL. */
const DATA_LOCATION_EXTERNAL = 1;

/** Default byte limit of one input (canonical encoding). */
export const DEFAULT_MAX_INPUT_BYTES = 1024 * 1024;

/** Parses ONNX bytes, or throws {@link ModelFormatError} with the protobuf reader's reason. */
export function decodeOnnxModel(artifact: Uint8Array): onnx.ModelProto {
  // Loaded on first use: services that serve no ONNX model never pay for protobufjs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { onnx: proto } = require("onnx-proto") as typeof import("onnx-proto");
  let model: onnx.ModelProto;
  try {
    model = proto.ModelProto.decode(artifact);
  } catch (cause) {
    throw new ModelFormatError("Not an ONNX model: the protobuf does not parse.", { cause });
  }
  if (!model.graph) throw new ModelFormatError("Not an ONNX model: it has no graph.");
  if (model.opsetImport.length === 0) throw new ModelFormatError("Not an ONNX model: it imports no opset.");
  return model;
}

function checkTensorData(tensor: onnx.ITensorProto | null | undefined, where: string): void {
  if (!tensor) return;
  if (tensor.dataLocation === DATA_LOCATION_EXTERNAL || (tensor.externalData?.length ?? 0) > 0) {
    const location = tensor.externalData?.find((e) => e.key === "location")?.value;
    throw new ModelFormatError(`The model refers to external data for tensor "${tensor.name ?? ""}" (${where}).`, {
      details:
        `location ${location ?? "(unnamed)"}: a model id must commit every weight, so Verity takes only self-contained ` +
        "ONNX files; save with onnx.save_model(model, path, save_as_external_data=False) (models under 2 GB).",
    });
  }
}

/** Walks every tensor a graph holds (initializers, constants in attributes, subgraphs) and refuses external data. */
function checkNoExternalData(graph: onnx.IGraphProto, path: string): void {
  for (const t of graph.initializer ?? []) checkTensorData(t, `${path} initializer`);
  for (const s of graph.sparseInitializer ?? []) {
    checkTensorData(s.values, `${path} sparse initializer`);
    checkTensorData(s.indices, `${path} sparse initializer`);
  }
  for (const node of graph.node ?? []) {
    for (const attribute of node.attribute ?? []) {
      const where = `${path} node "${node.name ?? ""}" attribute ${attribute.name ?? ""}`;
      checkTensorData(attribute.t, where);
      for (const t of attribute.tensors ?? []) checkTensorData(t, where);
      if (attribute.g) checkNoExternalData(attribute.g, `${where} subgraph`);
      for (const g of attribute.graphs ?? []) checkNoExternalData(g, `${where} subgraph`);
    }
  }
}

/** Refuses a graph where one value name is produced twice (two graph outputs, or two node outputs). */
function checkUniqueNames(graph: onnx.IGraphProto): void {
  const outputs = new Set<string>();
  for (const output of graph.output ?? []) {
    const name = output.name ?? "";
    if (outputs.has(name)) {
      throw new ModelFormatError(`The graph declares the output "${name}" more than once.`, {
        details: "each output needs its own name so the receipt can commit it; rename one in the exporter",
      });
    }
    outputs.add(name);
  }
  const produced = new Map<string, string>();
  for (const node of graph.node ?? []) {
    for (const name of node.output ?? []) {
      if (name === "") continue;
      const previous = produced.get(name);
      if (previous !== undefined) {
        throw new ModelFormatError(`Two nodes produce the value "${name}".`, {
          details: `nodes "${previous}" and "${node.name ?? ""}"; an ONNX graph assigns each value once`,
        });
      }
      produced.set(name, node.name ?? "");
    }
  }
}

function toSpec(
  info: onnx.IValueInfoProto,
  role: "input" | "output",
  parameters: ReadOnnxSignatureParameters,
  missing: string[],
): TensorSpec {
  const name = info.name ?? "";
  if (name === "") throw new ModelFormatError(`The graph has an ${role} without a name.`);
  const tensorType = info.type?.tensorType;
  if (!tensorType) {
    throw new ModelFormatError(
      `The ${role} "${name}" is not a tensor (sequence, map or optional types are not supported).`,
    );
  }
  const dtype = ONNX_DTYPES.get(tensorType.elemType ?? 0);
  if (dtype === undefined) {
    throw new ModelFormatError(
      `The ${role} "${name}" has element type ${getOnnxDtypeName(tensorType.elemType ?? 0)}.`,
      {
        details: "supported: float32, float16, float64, int64, int32, int16, int8, uint8, bool",
      },
    );
  }
  if (!tensorType.shape) throw new ModelFormatError(`The ${role} "${name}" has no declared shape (not even its rank).`);
  const shape: DimSpec[] = (tensorType.shape.dim ?? []).map((dim, axis) => {
    if (dim.dimValue !== undefined && dim.dimValue !== null && !dim.dimParam) {
      const value = Number(dim.dimValue.toString());
      if (value > 0 && value <= 0xffffffff) return value;
    }
    const param = dim.dimParam ? dim.dimParam : `${name}:${axis}`;
    if (role === "output") return { param };
    const max = parameters.maxDims?.[param];
    if (max === undefined) {
      if (parameters.requireMaxDims !== false) missing.push(param);
      return { param };
    }
    return { param, max };
  });
  return { name, dtype, shape, ...(role === "input" && FLOAT_DTYPES.has(dtype) ? { finite: true } : {}) };
}

/**
 * Reads an ONNX model's signature: graph inputs (initializers excepted) and outputs with names, dtypes and shapes.
 * Dynamic input dimensions take their declared maxima from `maxDims`; one left undeclared is refused, naming it.
 * Refuses (with {@link ModelFormatError}) what can't be verified: bytes that are not ONNX, external-data tensors,
 * repeated output names, element types outside the supported list, non-tensor inputs or outputs.
 */
export function readOnnxSignature(artifact: Uint8Array, parameters: ReadOnnxSignatureParameters = {}): ModelSignature {
  const model = decodeOnnxModel(artifact);
  const graph = model.graph!;
  checkNoExternalData(graph, "graph");
  checkUniqueNames(graph);
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name ?? ""));
  const missing: string[] = [];
  const seenInputs = new Set<string>();
  const inputs = (graph.input ?? [])
    .filter((info) => !initializers.has(info.name ?? ""))
    .map((info) => {
      if (seenInputs.has(info.name ?? ""))
        throw new ModelFormatError(`The graph declares the input "${info.name}" twice.`);
      seenInputs.add(info.name ?? "");
      return toSpec(info, "input", parameters, missing);
    });
  if (inputs.length === 0) throw new ModelFormatError("The graph has no inputs.");
  const outputs = (graph.output ?? []).map((info) => toSpec(info, "output", parameters, []));
  if (outputs.length === 0) throw new ModelFormatError("The graph has no outputs.");
  if (missing.length > 0) {
    const unique = [...new Set(missing)];
    throw new ModelFormatError(`Dynamic input dimensions need a declared maximum: ${unique.join(", ")}.`, {
      details: `declare each at registration, e.g. ${unique.map((p) => `--max-dim ${p}=64`).join(" ")}`,
    });
  }
  const unknown = Object.keys(parameters.maxDims ?? {}).filter(
    (p) => !inputs.some((s) => s.shape.some((d) => typeof d !== "number" && d.param === p)),
  );
  if (unknown.length > 0) {
    throw new ModelFormatError(`Declared maxima for dimensions the inputs don't have: ${unknown.join(", ")}.`);
  }
  return { version: 1, inputs, outputs, maxInputBytes: parameters.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES };
}
