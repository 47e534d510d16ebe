import { BaseError } from "../../../protocol";

/** One ONNX node the compiler can't map, and what to do about it. */
export type UnsupportedNode = { node: string; opType: string; reason: string };

/**
 * The ONNX model or its calibration data can't be compiled to runtime v2 (an unsupported op, a shape or parameter
 * the v2 format can't hold, calibration data of the wrong shape, external data). The CLI exits 2 and writes nothing.
 */
export class CompileRefusedError extends BaseError {
  override name = "CompileRefusedError";
  constructor(
    shortMessage: string,
    readonly problems: readonly string[] = [],
    details?: string,
  ) {
    super(shortMessage, { metaMessages: problems.map((p) => `  - ${p}`), details });
  }
}

/** The error listing every unsupported node at once. */
export function unsupportedNodesError(nodes: readonly UnsupportedNode[]): CompileRefusedError {
  return new CompileRefusedError(
    `${nodes.length} node${nodes.length === 1 ? "" : "s"} of the ONNX graph can't be compiled to verity-int8-v2:`,
    nodes.map((n) => `node "${n.node}" (${n.opType}): ${n.reason}`),
  );
}
