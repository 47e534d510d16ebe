import type { Address, Hex } from "viem";
import type { Receipt } from "../../protocol";
import { describeItemError, itemSchema } from "../validateReceipts";

export type ParsedItem =
  { ok: true; receipt: Receipt; signature: Hex; routerRequest: boolean } | { ok: false; message: string };

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const SIGNATURE = /^0x[0-9a-fA-F]{130}$/;
const DECIMAL = /^(0|[1-9][0-9]{0,19})$/;
const UINT64_MAX = (1n << 64n) - 1n;
const RECEIPT_KEYS = 7;

function bytes32(value: unknown): Hex | undefined {
  return typeof value === "string" && BYTES32.test(value) ? (value.toLowerCase() as Hex) : undefined;
}

/** The fast path: exactly the shapes the node's outbox sends. Anything else goes through the zod schema. */
function parseFast(item: unknown): ParsedItem | undefined {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return undefined;
  const { receipt: r, signature, routerRequest, ...extra } = item as Record<string, unknown>;
  for (const _ in extra) return undefined;
  if (routerRequest !== undefined && typeof routerRequest !== "boolean") return undefined;
  if (typeof signature !== "string" || !SIGNATURE.test(signature)) return undefined;
  if (typeof r !== "object" || r === null || Object.keys(r).length !== RECEIPT_KEYS) return undefined;
  const fields = r as Record<string, unknown>;
  const requestId = bytes32(fields.requestId);
  const modelId = bytes32(fields.modelId);
  const inputHash = bytes32(fields.inputHash);
  const outputHash = bytes32(fields.outputHash);
  const traceRoot = bytes32(fields.traceRoot);
  const node =
    typeof fields.node === "string" && ADDRESS.test(fields.node) ? (fields.node.toLowerCase() as Address) : undefined;
  if (!requestId || !modelId || !inputHash || !outputHash || !traceRoot || !node) return undefined;
  let issuedAt: bigint;
  if (typeof fields.issuedAt === "string" && DECIMAL.test(fields.issuedAt)) issuedAt = BigInt(fields.issuedAt);
  else if (typeof fields.issuedAt === "number" && Number.isSafeInteger(fields.issuedAt))
    issuedAt = BigInt(fields.issuedAt);
  else return undefined;
  if (issuedAt < 0n || issuedAt > UINT64_MAX) return undefined;
  return {
    ok: true,
    receipt: { requestId, modelId, inputHash, outputHash, traceRoot, node, issuedAt },
    signature: signature.toLowerCase() as Hex,
    routerRequest: routerRequest ?? false,
  };
}

/**
 * Parses one item of `POST /v1/receipts` (`{receipt, signature, routerRequest?}`): a hand-written check for the
 * well-formed case (hot path), and the zod schema of {@link itemSchema} for everything else, so the accepted
 * language and the error messages are the schema's.
 */
export function parseReceiptItem(item: unknown): ParsedItem {
  const fast = parseFast(item);
  if (fast) return fast;
  const parsed = itemSchema.safeParse(item);
  if (!parsed.success) return { ok: false, message: describeItemError(parsed.error) };
  return {
    ok: true,
    receipt: parsed.data.receipt,
    signature: parsed.data.signature.toLowerCase() as Hex,
    routerRequest: parsed.data.routerRequest ?? false,
  };
}
