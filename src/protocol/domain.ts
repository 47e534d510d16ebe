import { type Address, type Hex, keccak256, stringToBytes } from "viem";
import { toHex, writeHex, writeUint256 } from "./bytes";
import { keccak256Bytes, keccak256Into } from "./keccak";

/** EIP-712 domain name of every Verity signature. */
export const VERITY_DOMAIN_NAME = "Verity";
/** EIP-712 domain version; the contracts' `version()` returns the same. */
export const VERITY_DOMAIN_VERSION = "1";

/** The EIP-712 domain: `verifyingContract` is the AttestationRegistry address. */
export type VerityDomain = {
  name: typeof VERITY_DOMAIN_NAME;
  version: typeof VERITY_DOMAIN_VERSION;
  chainId: number;
  verifyingContract: Address;
};

/** Parameters of {@link getVerityDomain}. */
export type GetVerityDomainParameters = { chainId: number | bigint; verifyingContract: Address };

/** Builds the Verity EIP-712 domain for a chain and AttestationRegistry address. */
export function getVerityDomain({ chainId, verifyingContract }: GetVerityDomainParameters): VerityDomain {
  return { name: VERITY_DOMAIN_NAME, version: VERITY_DOMAIN_VERSION, chainId: Number(chainId), verifyingContract };
}

/** The EIP-712 types (viem / ethers shape) of the two signed structs. */
export const verityTypes = {
  InferenceReceipt: [
    { name: "requestId", type: "bytes32" },
    { name: "modelId", type: "bytes32" },
    { name: "inputHash", type: "bytes32" },
    { name: "outputHash", type: "bytes32" },
    { name: "traceRoot", type: "bytes32" },
    { name: "node", type: "address" },
    { name: "issuedAt", type: "uint64" },
  ],
  ReceiptBatch: [
    { name: "node", type: "address" },
    { name: "sequence", type: "uint64" },
    { name: "root", type: "bytes32" },
    { name: "count", type: "uint32" },
    { name: "dataHash", type: "bytes32" },
  ],
} as const;

/** keccak256("InferenceReceipt(bytes32 requestId,bytes32 modelId,bytes32 inputHash,bytes32 outputHash,bytes32 traceRoot,address node,uint64 issuedAt)") */
export const RECEIPT_TYPEHASH: Hex = keccak256(
  stringToBytes(
    "InferenceReceipt(bytes32 requestId,bytes32 modelId,bytes32 inputHash,bytes32 outputHash,bytes32 traceRoot,address node,uint64 issuedAt)",
  ),
);
/** keccak256("ReceiptBatch(address node,uint64 sequence,bytes32 root,uint32 count,bytes32 dataHash)") */
export const BATCH_TYPEHASH: Hex = keccak256(
  stringToBytes("ReceiptBatch(address node,uint64 sequence,bytes32 root,uint32 count,bytes32 dataHash)"),
);
const DOMAIN_TYPEHASH = keccak256(
  stringToBytes("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
);

const NAME_HASH = keccak256(stringToBytes(VERITY_DOMAIN_NAME), "bytes");
const VERSION_HASH = keccak256(stringToBytes(VERITY_DOMAIN_VERSION), "bytes");
/** Domain separators already computed, by `chainId:verifyingContract` (a process sees one or two domains). */
const separators = new Map<string, Uint8Array>();
const MAX_CACHED_SEPARATORS = 64;

/** The EIP-712 domain separator, as bytes (hot paths; computed once per domain, do not modify) or hex. */
export function getDomainSeparator(domain: GetVerityDomainParameters): Uint8Array {
  const key = `${domain.chainId}:${domain.verifyingContract.toLowerCase()}`;
  const cached = separators.get(key);
  if (cached !== undefined) return cached;
  const buffer = new Uint8Array(5 * 32);
  writeHex(buffer, 0, DOMAIN_TYPEHASH, 32);
  buffer.set(NAME_HASH, 32);
  buffer.set(VERSION_HASH, 64);
  writeUint256(buffer, 96, BigInt(domain.chainId));
  writeHex(buffer, 128, domain.verifyingContract, 32);
  const separator = keccak256Bytes(buffer);
  if (separators.size >= MAX_CACHED_SEPARATORS) separators.clear();
  separators.set(key, separator);
  return separator;
}

/** `keccak256(0x1901 ‖ domainSeparator ‖ structHash)` on bytes. */
export function getTypedDataDigest(domainSeparator: Uint8Array, structHash: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(66);
  buffer[0] = 0x19;
  buffer[1] = 0x01;
  buffer.set(domainSeparator, 2);
  buffer.set(structHash, 34);
  keccak256Into(buffer, 0, 66, buffer, 0);
  return buffer.subarray(0, 32);
}

/** Hex form of {@link getDomainSeparator}. */
export function getDomainSeparatorHex(domain: GetVerityDomainParameters): Hex {
  return toHex(getDomainSeparator(domain));
}
