import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  AbiCoder,
  Signature,
  TypedDataEncoder,
  Wallet,
  concat,
  hexlify,
  keccak256,
  randomBytes,
  toBeHex,
} from "ethers";
import type { TypedDataDomain } from "ethers";
import { privateKeyToAccount } from "viem/accounts";
import type { Address, Hex } from "viem";
import { getBatchId } from "../../src/protocol";

/** A receipt as the contracts and signers see it (EIP-712 `InferenceReceipt`). */
export interface Receipt {
  requestId: string;
  modelId: string;
  inputHash: string;
  outputHash: string;
  traceRoot: string;
  node: string;
  issuedAt: bigint;
}

/** A batch as the contracts and signers see it (EIP-712 `ReceiptBatch`). */
export interface Batch {
  node: string;
  sequence: bigint;
  root: string;
  count: bigint;
  dataHash: string;
}

/** The EIP-712 domain of a registry. */
export interface Domain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

export const RECEIPT_FIELDS = [
  "requestId",
  "modelId",
  "inputHash",
  "outputHash",
  "traceRoot",
  "node",
  "issuedAt",
] as const;
export const BATCH_FIELDS = ["node", "sequence", "root", "count", "dataHash"] as const;

export const RECEIPT_TYPES = {
  InferenceReceipt: [
    { name: "requestId", type: "bytes32" },
    { name: "modelId", type: "bytes32" },
    { name: "inputHash", type: "bytes32" },
    { name: "outputHash", type: "bytes32" },
    { name: "traceRoot", type: "bytes32" },
    { name: "node", type: "address" },
    { name: "issuedAt", type: "uint64" },
  ],
} as const;

export const BATCH_TYPES = {
  ReceiptBatch: [
    { name: "node", type: "address" },
    { name: "sequence", type: "uint64" },
    { name: "root", type: "bytes32" },
    { name: "count", type: "uint32" },
    { name: "dataHash", type: "bytes32" },
  ],
} as const;

/** The same types in the mutable shape ethers asks for. */
export const ETHERS_RECEIPT_TYPES = { InferenceReceipt: RECEIPT_TYPES.InferenceReceipt.map((f) => ({ ...f })) };
export const ETHERS_BATCH_TYPES = { ReceiptBatch: BATCH_TYPES.ReceiptBatch.map((f) => ({ ...f })) };

/** A fresh random key as a plain `Wallet` (so both ethers and viem can sign with it). */
export function randomWallet(): Wallet {
  return new Wallet(hexlify(randomBytes(32)));
}

/** secp256k1 group order. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export function randomHash(): string {
  return hexlify(randomBytes(32));
}

export function makeReceipt(node: string, modelId: string, overrides: Partial<Receipt> = {}): Receipt {
  return {
    requestId: randomHash(),
    modelId,
    inputHash: randomHash(),
    outputHash: randomHash(),
    traceRoot: randomHash(),
    node,
    issuedAt: 1_700_000_000n,
    ...overrides,
  };
}

function ethersDomain(domain: Domain): TypedDataDomain {
  return { ...domain };
}

function viemDomain(domain: Domain) {
  return {
    name: domain.name,
    version: domain.version,
    chainId: domain.chainId,
    verifyingContract: domain.verifyingContract as Hex,
  };
}

export function hashReceipt(receipt: Receipt): string {
  return TypedDataEncoder.hashStruct("InferenceReceipt", ETHERS_RECEIPT_TYPES, receipt);
}

export function hashBatch(batch: Batch): string {
  return TypedDataEncoder.hashStruct("ReceiptBatch", ETHERS_BATCH_TYPES, batch);
}

export function receiptDigest(domain: Domain, receipt: Receipt): string {
  return TypedDataEncoder.hash(ethersDomain(domain), ETHERS_RECEIPT_TYPES, receipt);
}

export function batchDigest(domain: Domain, batch: Batch): string {
  return TypedDataEncoder.hash(ethersDomain(domain), ETHERS_BATCH_TYPES, batch);
}

/** The Merkle leaf of a receipt: keccak256(keccak256(abi.encode(structHash))). */
export function receiptLeaf(receipt: Receipt): string {
  return keccak256(keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32"], [hashReceipt(receipt)])));
}

/** Signs with ethers' `Wallet.signTypedData`. */
export function signReceiptEthers(wallet: Wallet, domain: Domain, receipt: Receipt): Promise<string> {
  return wallet.signTypedData(ethersDomain(domain), ETHERS_RECEIPT_TYPES, receipt);
}

export function signBatchEthers(wallet: Wallet, domain: Domain, batch: Batch): Promise<string> {
  return wallet.signTypedData(ethersDomain(domain), ETHERS_BATCH_TYPES, batch);
}

/** Signs with viem's `signTypedData` (an independent EIP-712 implementation). */
export function signReceiptViem(privateKey: string, domain: Domain, receipt: Receipt): Promise<string> {
  return privateKeyToAccount(privateKey as Hex).signTypedData({
    domain: viemDomain(domain),
    types: RECEIPT_TYPES,
    primaryType: "InferenceReceipt",
    message: {
      requestId: receipt.requestId as Hex,
      modelId: receipt.modelId as Hex,
      inputHash: receipt.inputHash as Hex,
      outputHash: receipt.outputHash as Hex,
      traceRoot: receipt.traceRoot as Hex,
      node: receipt.node as Hex,
      issuedAt: receipt.issuedAt,
    },
  });
}

export function signBatchViem(privateKey: string, domain: Domain, batch: Batch): Promise<string> {
  return privateKeyToAccount(privateKey as Hex).signTypedData({
    domain: viemDomain(domain),
    types: BATCH_TYPES,
    primaryType: "ReceiptBatch",
    message: {
      node: batch.node as Hex,
      sequence: batch.sequence,
      root: batch.root as Hex,
      count: Number(batch.count),
      dataHash: batch.dataHash as Hex,
    },
  });
}

/** The same signature with s replaced by n − s and v toggled: valid for plain ecrecover, rejected as high-s. */
export function toHighS(signature: string): string {
  const sig = Signature.from(signature);
  const highS = SECP256K1_N - BigInt(sig.s);
  const v = sig.v === 27 ? 28 : 27;
  return concat([sig.r, toBeHex(highS, 32), toBeHex(v, 1)]);
}

/** The same signature with its last byte (v) set to `v`. */
export function withV(signature: string, v: number): string {
  return concat([signature.slice(0, 130), toBeHex(v, 1)]);
}

/** The EIP-2098 64-byte compact form of a signature. */
export function toCompact(signature: string): string {
  const sig = Signature.from(signature);
  return concat([sig.r, sig.yParityAndS]);
}

/** A Merkle batch of receipts as OpenZeppelin's StandardMerkleTree builds it. */
/** The AttestationRegistry's id of `node`'s batch with Merkle root `root` (`src/protocol`'s `getBatchId`). */
export function batchIdOf(node: string, root: string): string {
  return getBatchId({ node: node as Address, root: root as Hex });
}

export function buildTree(receipts: Receipt[]): StandardMerkleTree<[string]> {
  return StandardMerkleTree.of(
    receipts.map((r) => [hashReceipt(r)] as [string]),
    ["bytes32"],
  );
}

/** The proof of `receipt` in `tree`. */
export function proofOf(tree: StandardMerkleTree<[string]>, receipt: Receipt): string[] {
  return tree.getProof([hashReceipt(receipt)]);
}

/** A random field value of the right type for `field`, different from `current`. */
export function mutate(field: string, current: string | bigint): string | bigint {
  if (typeof current === "bigint") return current + 1n;
  if (field === "node") return randomWallet().address;
  return randomHash();
}
