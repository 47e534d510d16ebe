export {
  BaseError,
  InvalidBatchError,
  InvalidProofError,
  InvalidReceiptError,
  InvalidSignatureError,
  InvalidTensorError,
  getErrorMessage,
} from "./errors";
export type { BaseErrorParameters } from "./errors";
export {
  MAX_TENSOR_RANK,
  TENSOR_ENCODING_VERSION,
  createTensor,
  getTensorDtype,
  getTensorSize,
  isTensorBundle,
  toSingleTensor,
  tensorDtypeSizes,
  tensorDtypes,
} from "./tensor";
export type { Tensor, TensorBundle, TensorData, TensorDtype, TensorPayload } from "./tensor";
export { assertTensor, encodeTensor } from "./encodeTensor";
export { decodeTensor } from "./decodeTensor";
export { getTensorHash } from "./getTensorHash";
export {
  MAX_BUNDLE_TENSORS,
  MAX_TENSOR_NAME_BYTES,
  TENSOR_BUNDLE_ENCODING_VERSION,
  decodePayload,
  decodeTensorBundle,
  encodePayload,
  encodeTensorBundle,
} from "./encodeTensorBundle";
export { getPayloadHash, getTensorBundleHash } from "./getTensorBundleHash";
export { getModelId } from "./getModelId";
export {
  BATCH_TYPEHASH,
  RECEIPT_TYPEHASH,
  VERITY_DOMAIN_NAME,
  VERITY_DOMAIN_VERSION,
  getDomainSeparator,
  getDomainSeparatorHex,
  getTypedDataDigest,
  getVerityDomain,
  verityTypes,
} from "./domain";
export type { GetVerityDomainParameters, VerityDomain } from "./domain";
export {
  getBytes32LeafBytes,
  getReceiptDigest,
  getReceiptDigestBytes,
  getReceiptLeaf,
  getReceiptLeafBytes,
  getReceiptStructHash,
  getReceiptStructHashBytes,
  writeReceiptLeaf,
} from "./receipt";
export type { Receipt } from "./receipt";
export { getBatchDigest, getBatchDigestBytes, getBatchStructHash, getBatchStructHashBytes } from "./batch";
export type { ReceiptBatch } from "./batch";
export { getBatchId } from "./getBatchId";
export type { GetBatchIdParameters } from "./getBatchId";
export {
  buildMerkleTree,
  compareBytes32,
  getMerkleProof,
  getMerkleRoot,
  getMerkleRootFlat,
  isStrictlyAscending,
  hashPair,
  processMerkleProof,
  processMerkleProofHex,
} from "./merkle";
export { buildReceiptBatch } from "./buildReceiptBatch";
export type { BuildReceiptBatchReturnType } from "./buildReceiptBatch";
export { assertReceiptProof, verifyReceiptProof } from "./verifyReceiptProof";
export type { VerifyReceiptProofParameters } from "./verifyReceiptProof";
export { verifyReceiptProofs } from "./verifyReceiptProofs";
export type { VerifyReceiptProofsParameters } from "./verifyReceiptProofs";
export { assertLowSSignature, isLowSSignature, toHighSSignature } from "./signature";
export { signReceipt } from "./signReceipt";
export type { SignReceiptParameters, TypedDataSigner } from "./signReceipt";
export { signBatch } from "./signBatch";
export type { SignBatchParameters } from "./signBatch";
export { recoverReceiptSigner } from "./recoverReceiptSigner";
export type { RecoverReceiptSignerParameters } from "./recoverReceiptSigner";
export { recoverBatchSigner } from "./recoverBatchSigner";
export type { RecoverBatchSignerParameters } from "./recoverBatchSigner";
export { BATCH_FILE_VERSION, getBatchDataHash, serializeBatchFile } from "./batchFile";
export type { BatchFile, BatchFileEntry, TensorReference } from "./batchFile";
export {
  addressSchema,
  batchFileSchema,
  bytes32Schema,
  parseBatchFile,
  parseReceipt,
  receiptSchema,
  tensorReferenceSchema,
  uint64Schema,
} from "./schemas";
export { verifyBatchFile } from "./verifyBatchFile";
export { verifyReceiptBatch } from "./verifyReceiptBatch";
export type { VerifyReceiptBatchParameters } from "./verifyReceiptBatch";
export {
  createSignerAccount,
  getNativeUnavailableReason,
  getSecp256k1Backend,
  nativeEngine,
  nobleEngine,
  recoverDigestSigner,
  secp256k1,
  signDigest,
} from "./secp256k1";
export type { Secp256k1Backend, Secp256k1Engine } from "./secp256k1";
export type { VerifyBatchFileParameters, VerifyBatchFileReturnType } from "./verifyBatchFile";
export { toHex as bytesToHex, fromHex as hexToBytes } from "./bytes";
export { keccak256Bytes, keccak256BytesJsSha3, keccak256Into } from "./keccak";
export {
  buildPositionalTree,
  getPositionalDepth,
  getPositionalDescendants,
  getPositionalProof,
  getPositionalRoot,
  processPositionalProof,
} from "./positionalMerkle";
export {
  VALIDATION_REQUEST_TYPE,
  VALIDATION_REQUEST_TYPEHASH,
  getValidationRequestHash,
} from "./getValidationRequestHash";
export type { GetValidationRequestHashParameters } from "./getValidationRequestHash";
export {
  InvalidValidationRequestError,
  VALIDATION_REQUEST_DOCUMENT_TYPE,
  parseValidationRequestUri,
  toValidationRequestUri,
} from "./validationRequestDocument";
export type { ValidationRequestDocument } from "./validationRequestDocument";
export type { OneStepHex } from "./oneStep";
