// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @notice Test harness recomputing receipt and batch hashes the way the AttestationRegistry must, so TypeScript
/// tests can check `src/protocol` digests, leaves and proofs against a real chain.
contract ReceiptHashHarness is EIP712 {
    /// keccak256("InferenceReceipt(bytes32 requestId,bytes32 modelId,bytes32 inputHash,bytes32 outputHash,bytes32 traceRoot,address node,uint64 issuedAt)")
    bytes32 public constant RECEIPT_TYPEHASH = keccak256(
        "InferenceReceipt(bytes32 requestId,bytes32 modelId,bytes32 inputHash,bytes32 outputHash,bytes32 traceRoot,address node,uint64 issuedAt)"
    );
    /// keccak256("ReceiptBatch(address node,uint64 sequence,bytes32 root,uint32 count,bytes32 dataHash)")
    bytes32 public constant BATCH_TYPEHASH = keccak256(
        "ReceiptBatch(address node,uint64 sequence,bytes32 root,uint32 count,bytes32 dataHash)"
    );

    struct Receipt {
        bytes32 requestId;
        bytes32 modelId;
        bytes32 inputHash;
        bytes32 outputHash;
        bytes32 traceRoot;
        address node;
        uint64 issuedAt;
    }

    constructor() EIP712("Verity", "1") {}

    /// @notice EIP-712 struct hash of a receipt.
    function structHash(Receipt calldata r) public pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    RECEIPT_TYPEHASH,
                    r.requestId,
                    r.modelId,
                    r.inputHash,
                    r.outputHash,
                    r.traceRoot,
                    r.node,
                    r.issuedAt
                )
            );
    }

    /// @notice EIP-712 digest of a receipt under this contract's domain.
    function receiptDigest(Receipt calldata r) external view returns (bytes32) {
        return _hashTypedDataV4(structHash(r));
    }

    /// @notice Merkle leaf of a receipt.
    function leaf(Receipt calldata r) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(structHash(r)))));
    }

    /// @notice EIP-712 digest of a batch header under this contract's domain.
    function batchDigest(
        address node,
        uint64 sequence,
        bytes32 root,
        uint32 count,
        bytes32 dataHash
    ) external view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(BATCH_TYPEHASH, node, sequence, root, count, dataHash)));
    }

    /// @notice Recovers a receipt signer with OpenZeppelin ECDSA (reverts on high-s).
    function recoverReceiptSigner(Receipt calldata r, bytes calldata signature) external view returns (address) {
        return ECDSA.recover(_hashTypedDataV4(structHash(r)), signature);
    }

    /// @notice OpenZeppelin MerkleProof.verify of a receipt.
    function verifyReceipt(Receipt calldata r, bytes32[] calldata proof, bytes32 root) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, leaf(r));
    }
}
