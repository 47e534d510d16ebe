import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { Signature, Wallet, concat, hexlify, randomBytes, toBeHex } from "ethers";
import type { HDNodeWallet } from "ethers";
import { privateKeyToAccount } from "viem/accounts";
import type { Address, Hex } from "viem";
import {
  VERITY_DOMAIN_NAME,
  VERITY_DOMAIN_VERSION,
  getBatchDigest,
  getBatchId,
  getBatchStructHash,
  getReceiptDigest,
  getReceiptLeaf,
  getReceiptStructHash,
  signBatch,
  signReceipt,
  verityTypes,
} from "../../src/protocol";
import type { GetVerityDomainParameters, Receipt as ProtocolReceipt, ReceiptBatch } from "../../src/protocol";

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

/** The EIP-712 types of the two signed structs, as `src/protocol` defines them. */
export const RECEIPT_TYPES = { InferenceReceipt: verityTypes.InferenceReceipt } as const;
export const BATCH_TYPES = { ReceiptBatch: verityTypes.ReceiptBatch } as const;

/** The same types in the mutable shape ethers asks for (tests that sign with ethers' own `signTypedData`). */
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

/** A test receipt in `src/protocol`'s shape. */
export function toProtocolReceipt(receipt: Receipt): ProtocolReceipt {
  return {
    requestId: receipt.requestId as Hex,
    modelId: receipt.modelId as Hex,
    inputHash: receipt.inputHash as Hex,
    outputHash: receipt.outputHash as Hex,
    traceRoot: receipt.traceRoot as Hex,
    node: receipt.node as Address,
    issuedAt: receipt.issuedAt,
  };
}

/** A test batch in `src/protocol`'s shape. */
export function toProtocolBatch(batch: Batch): ReceiptBatch {
  return {
    node: batch.node as Address,
    sequence: batch.sequence,
    root: batch.root as Hex,
    count: Number(batch.count),
    dataHash: batch.dataHash as Hex,
  };
}

/** `src/protocol`'s domain parameters of a test domain (its name and version are Verity's, see {@link isVerityDomain}). */
function toProtocolDomain(domain: Domain): GetVerityDomainParameters {
  return { chainId: domain.chainId, verifyingContract: domain.verifyingContract as Address };
}

/**
 * Whether `domain` has Verity's name and version: `src/protocol` signs only those, so a test that signs for a foreign
 * name or version (to see it refused) gets viem's generic `signTypedData` instead.
 */
function isVerityDomain(domain: Domain): boolean {
  return domain.name === VERITY_DOMAIN_NAME && domain.version === VERITY_DOMAIN_VERSION;
}

export function hashReceipt(receipt: Receipt): string {
  return getReceiptStructHash(toProtocolReceipt(receipt));
}

export function hashBatch(batch: Batch): string {
  return getBatchStructHash(toProtocolBatch(batch));
}

export function receiptDigest(domain: Domain, receipt: Receipt): string {
  return getReceiptDigest(toProtocolReceipt(receipt), toProtocolDomain(domain));
}

export function batchDigest(domain: Domain, batch: Batch): string {
  return getBatchDigest(toProtocolBatch(batch), toProtocolDomain(domain));
}

/** The Merkle leaf of a receipt: keccak256(keccak256(abi.encode(structHash))). */
export function receiptLeaf(receipt: Receipt): string {
  return getReceiptLeaf(toProtocolReceipt(receipt));
}

/**
 * Signs a receipt with an ethers `Wallet`'s key through `src/protocol` (`signReceipt`, what the node signs with). A
 * domain of another name or version, which the protocol never signs, goes through viem's generic `signTypedData`.
 */
export function signReceiptEthers(wallet: Wallet | HDNodeWallet, domain: Domain, receipt: Receipt): Promise<string> {
  if (!isVerityDomain(domain)) return signReceiptViem(wallet.privateKey, domain, receipt);
  const signer = privateKeyToAccount(wallet.privateKey as Hex);
  return signReceipt({ signer, domain: toProtocolDomain(domain), receipt: toProtocolReceipt(receipt) });
}

/** Signs a batch header with an ethers `Wallet`'s key through `src/protocol` (`signBatch`); see {@link signReceiptEthers}. */
export function signBatchEthers(wallet: Wallet | HDNodeWallet, domain: Domain, batch: Batch): Promise<string> {
  if (!isVerityDomain(domain)) return signBatchViem(wallet.privateKey, domain, batch);
  const signer = privateKeyToAccount(wallet.privateKey as Hex);
  return signBatch({ signer, domain: toProtocolDomain(domain), batch: toProtocolBatch(batch) });
}

function viemDomain(domain: Domain) {
  return {
    name: domain.name,
    version: domain.version,
    chainId: domain.chainId,
    verifyingContract: domain.verifyingContract as Hex,
  };
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
