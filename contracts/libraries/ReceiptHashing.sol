// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";
import {ModelId} from "../types/ModelId.sol";

/// @title Receipt hashing
/// @notice EIP-712 struct hashes of Verity's signed formats and the Merkle leaf of a receipt. The TypeScript mirror in
/// `src/protocol` computes the same values (checked by `test/attestation/crosscheck.test.ts`).
library ReceiptHashing {
    // solhint-disable-next-line max-line-length
    /// @dev keccak256("InferenceReceipt(bytes32 requestId,bytes32 modelId,bytes32 inputHash,bytes32 outputHash,bytes32 traceRoot,address node,uint64 issuedAt)")
    bytes32 internal constant RECEIPT_TYPEHASH = 0x0a9618f0113bd8dcb7c531d58441e1b2c71baac0dae9dbc7470b5a0973606439;

    /// @dev keccak256("ReceiptBatch(address node,uint64 sequence,bytes32 root,uint32 count,bytes32 dataHash)")
    bytes32 internal constant BATCH_TYPEHASH = 0xebd0e842d6293692627c63db528d80dd46ca555415f3370d1407522bc84c646d;

    /// @notice The EIP-712 struct hash of `receipt`.
    function hash(IAttestationRegistry.InferenceReceipt calldata receipt) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    RECEIPT_TYPEHASH,
                    receipt.requestId,
                    ModelId.unwrap(receipt.modelId),
                    receipt.inputHash,
                    receipt.outputHash,
                    receipt.traceRoot,
                    receipt.node,
                    receipt.issuedAt
                )
            );
    }

    /// @notice The EIP-712 struct hash of `batch`.
    function hash(IAttestationRegistry.ReceiptBatch calldata batch) internal pure returns (bytes32) {
        return
            keccak256(abi.encode(BATCH_TYPEHASH, batch.node, batch.sequence, batch.root, batch.count, batch.dataHash));
    }

    /// @notice The Merkle leaf of a receipt with struct hash `receiptHash`, as OpenZeppelin's `StandardMerkleTree`
    /// builds it for the value `[receiptHash]` of type `["bytes32"]`: the double hash keeps a leaf from ever equalling
    /// an inner node (64-byte preimage).
    function leaf(bytes32 receiptHash) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(receiptHash))));
    }

    /// @notice The storage key of the single receipt `(node, requestId)`: at most one single receipt per key.
    function requestKey(address node, bytes32 requestId) internal pure returns (bytes32) {
        return keccak256(abi.encode(node, requestId));
    }
}
