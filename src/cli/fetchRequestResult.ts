import { keccak256, type Address, type Hex } from "viem";
import { decodePayload, getErrorMessage, type TensorPayload } from "../protocol";
import { fetchTensorBytes } from "../service/fetchContent";

/** A node that answered the request with `outputHash`, and where it serves its tensors. */
export interface ResultSource {
  node: Address;
  endpoint: string;
}

/**
 * What fetching a request's result found:
 * - `checked`: bytes that hash to the committed output hash, decoded;
 * - `mismatch`: a source sent bytes hashing to something else (named, with both hashes), and no source sent the right
 *   ones;
 * - `unavailable`: no source could be reached or held the tensor.
 */
export type FetchRequestResultReturnType =
  | { check: "checked"; outputHash: Hex; from: string; output: TensorPayload }
  | { check: "mismatch"; outputHash: Hex; reason: string }
  | { check: "unavailable"; outputHash: Hex; reason: string };

/**
 * Fetches the output a request's answer committed to (`outputHash`) from the content directory, then from each node
 * that answered with that hash, and keeps the first copy whose keccak-256 is the hash: a person sees the result
 * itself, never bytes the chain doesn't vouch for. Never throws.
 */
export async function fetchRequestResult(
  outputHash: Hex,
  sources: { contentDir?: string | undefined; nodes: ResultSource[] },
): Promise<FetchRequestResultReturnType> {
  const attempts: { from: string; contentDir?: string; endpoint?: string }[] = [
    ...(sources.contentDir
      ? [{ from: `content directory ${sources.contentDir}`, contentDir: sources.contentDir }]
      : []),
    ...sources.nodes.map(({ node, endpoint }) => ({ from: `node ${node} (${endpoint})`, endpoint })),
  ];
  const mismatches: string[] = [];
  const failures: string[] = [];
  for (const attempt of attempts) {
    let bytes: Uint8Array;
    try {
      bytes = await fetchTensorBytes(
        { contentDir: attempt.contentDir, endpoint: attempt.endpoint, timeoutMs: 5_000 },
        outputHash,
      );
    } catch (error) {
      failures.push(`${attempt.from}: ${getErrorMessage(error)}`);
      continue;
    }
    const hash = keccak256(bytes);
    if (hash !== outputHash.toLowerCase()) {
      mismatches.push(`${attempt.from} sent bytes hashing to ${hash}`);
      continue;
    }
    try {
      return { check: "checked", outputHash, from: attempt.from, output: decodePayload(bytes) };
    } catch (error) {
      mismatches.push(
        `${attempt.from} sent bytes of the right hash that are no canonical tensor: ${getErrorMessage(error)}`,
      );
    }
  }
  if (mismatches.length > 0) {
    return {
      check: "mismatch",
      outputHash,
      reason: `not the committed output ${outputHash}: ${mismatches.join("; ")}`,
    };
  }
  return {
    check: "unavailable",
    outputHash,
    reason: attempts.length === 0 ? "no node that answered serves an endpoint" : failures.join("; "),
  };
}
