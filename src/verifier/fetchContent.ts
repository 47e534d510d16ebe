import fs from "node:fs/promises";
import path from "node:path";
import { keccak256, type Hex } from "viem";
import { ContentMismatchError, ContentUnavailableError } from "./errors";
import { getErrorMessage } from "../protocol";

/** Where the verifier looks for batch files and tensors: a local directory first, then the node's endpoint. */
export interface ContentSources {
  /** Directory holding `batches/<dataHash>.json` and `tensors/<tensorHash>` (canonical encodings). */
  contentDir?: string | undefined;
  /** The node's HTTP endpoint, serving `GET /batches/<batchId>` and `GET /tensors/<tensorHash>`. */
  endpoint?: string | undefined;
  /** Per-request timeout for the endpoint, in milliseconds (default 10 s). */
  timeoutMs?: number;
}

/**
 * Fetches a batch file and checks it hashes to the `dataHash` the node signed. The content store wins over the
 * endpoint; a file that doesn't hash right is rejected wherever it came from.
 */
export async function fetchBatchFile(sources: ContentSources, batchId: Hex, dataHash: Hex): Promise<string> {
  const bytes = await fetchFirst(sources, [
    sources.contentDir && path.join(sources.contentDir, "batches", `${dataHash.toLowerCase()}.json`),
    sources.endpoint && `${trimSlash(sources.endpoint)}/batches/${batchId.toLowerCase()}`,
  ]);
  const hash = keccak256(bytes);
  if (hash !== dataHash.toLowerCase()) {
    throw new ContentMismatchError("Batch file does not hash to the signed dataHash.", {
      details: `keccak256 ${hash}, dataHash ${dataHash}`,
    });
  }
  return new TextDecoder().decode(bytes);
}

/** Fetches a tensor's canonical encoding by its hash (the caller checks the hash after decoding). */
export async function fetchTensorBytes(sources: ContentSources, tensorHash: Hex): Promise<Uint8Array> {
  return fetchFirst(sources, [
    sources.contentDir && path.join(sources.contentDir, "tensors", tensorHash.toLowerCase()),
    sources.endpoint && `${trimSlash(sources.endpoint)}/tensors/${tensorHash.toLowerCase()}`,
  ]);
}

/** Resolves a `{ uri }` tensor reference: `http(s)://`, `file://`, or a bare tensor hash looked up in the sources. */
export async function fetchTensorUri(sources: ContentSources, uri: string): Promise<Uint8Array> {
  if (/^0x[0-9a-fA-F]{64}$/.test(uri)) return fetchTensorBytes(sources, uri as Hex);
  if (uri.startsWith("file://")) return fetchFirst(sources, [new URL(uri).pathname]);
  if (uri.startsWith("http://") || uri.startsWith("https://")) return fetchFirst(sources, [uri]);
  throw new ContentUnavailableError("Unsupported tensor URI.", { details: uri });
}

async function fetchFirst(
  sources: ContentSources,
  locations: (string | undefined | "" | false)[],
): Promise<Uint8Array> {
  const failures: string[] = [];
  for (const location of locations) {
    if (!location) continue;
    try {
      return location.startsWith("http://") || location.startsWith("https://")
        ? await fetchHttp(location, sources.timeoutMs ?? 10_000)
        : new Uint8Array(await fs.readFile(location));
    } catch (error) {
      failures.push(`${location}: ${getErrorMessage(error)}`);
    }
  }
  throw new ContentUnavailableError("Content not found in any source.", {
    details: failures.length > 0 ? failures.join("; ") : "no content directory or endpoint configured",
  });
}

async function fetchHttp(url: string, timeoutMs: number): Promise<Uint8Array> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new ContentUnavailableError(`HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function trimSlash(url: string): string {
  return url.endsWith("/") ? url.slice(0, -1) : url;
}
