import { zeroHash, type Address, type Hex } from "viem";
import { getNode } from "../chain/actions/getNode";
import { isTensorBundle, type Tensor, type TensorPayload } from "../protocol";
import { formatPayloadJson } from "../runtime";
import { fetchRequestResult, type FetchRequestResultReturnType, type ResultSource } from "./fetchRequestResult";
import type { ChainContext } from "./options";

/** Parameters of {@link readRequestResult}. */
export interface ReadRequestResultParameters {
  /** The output hash the request settled on, if it settled. */
  settledOutputHash: Hex | undefined;
  assignments: readonly { node: Address; outputHash: Hex }[];
  contentDir: string | undefined;
}

/**
 * The result `request show` prints: the output the request settled on (or, before settlement, the answer most nodes
 * gave), fetched from `contentDir` and the nodes that answered it, and checked against its hash. `undefined` while
 * nobody answered.
 */
export async function readRequestResult(
  context: ChainContext,
  { settledOutputHash, assignments, contentDir }: ReadRequestResultParameters,
): Promise<FetchRequestResultReturnType | undefined> {
  const answered = settledOutputHash ?? mostAnswered(assignments.map((a) => a.outputHash));
  if (answered === undefined || answered === zeroHash) return undefined;
  return fetchRequestResult(answered, { contentDir, nodes: await answeringNodes(context, assignments, answered) });
}

/** The output hash most assignments answered with (the router settles on agreement), if any answered. */
function mostAnswered(hashes: readonly Hex[]): Hex | undefined {
  const counts = new Map<Hex, number>();
  for (const hash of hashes) if (hash !== zeroHash) counts.set(hash, (counts.get(hash) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** The assigned nodes that answered `outputHash`, with their registered endpoints. */
async function answeringNodes(
  context: ChainContext,
  assignments: readonly { node: Address; outputHash: Hex }[],
  outputHash: Hex,
): Promise<ResultSource[]> {
  const nodes = [...new Set(assignments.filter((a) => a.outputHash === outputHash).map((a) => a.node))];
  const registered = await Promise.all(
    nodes.map((node) =>
      getNode(context.clients.publicClient, { address: context.contracts.nodeRegistry, node }).then((info) => ({
        node,
        endpoint: info.endpoint,
      })),
    ),
  );
  return registered.filter(({ endpoint }) => /^https?:\/\//.test(endpoint));
}

export function toResultJson(result: FetchRequestResultReturnType) {
  return result.check === "checked"
    ? { outputHash: result.outputHash, check: result.check, from: result.from, ...formatPayloadJson(result.output) }
    : { outputHash: result.outputHash, check: result.check, reason: result.reason };
}

export function describeResultCheck(result: FetchRequestResultReturnType): string {
  switch (result.check) {
    case "checked":
      return `hashes to the answered output ${result.outputHash} (from ${result.from})`;
    case "mismatch":
      return `WRONG: ${result.reason}`;
    case "unavailable":
      return `not fetched: ${result.reason}`;
  }
}

/** One line per tensor: `name: dtype[shape] v0, v1, …` (the first 16 values). */
export function formatPayload(payload: TensorPayload): string {
  const line = (tensor: Tensor) => {
    const values = Array.from(tensor.data as ArrayLike<number | bigint>, String);
    const shown =
      values.length > 16 ? `${values.slice(0, 16).join(", ")}, … (${values.length} values)` : values.join(", ");
    return `${tensor.dtype}[${tensor.shape.join(",")}] ${shown}`;
  };
  if (!isTensorBundle(payload)) return line(payload);
  return Object.entries(payload.tensors)
    .map(([name, tensor]) => `${name}: ${line(tensor)}`)
    .join("\n");
}
