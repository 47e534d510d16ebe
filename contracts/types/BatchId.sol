// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A receipt batch's id: `keccak256(abi.encode(node, root))`, the Merkle root keyed by the node that signed
/// it. A distinct type so it can't be confused with other hashes.
/// @dev Keying by node means a root copied by another node names another batch: nobody can take a node's pending
/// root first. The zero id never names a batch; `isFinal` and `verifyInclusion` read it as "a single receipt".
type BatchId is bytes32;

using {eqBatchId as ==, neqBatchId as !=, isZero} for BatchId global;

function eqBatchId(BatchId a, BatchId b) pure returns (bool) {
    return BatchId.unwrap(a) == BatchId.unwrap(b);
}

function neqBatchId(BatchId a, BatchId b) pure returns (bool) {
    return BatchId.unwrap(a) != BatchId.unwrap(b);
}

/// @notice True for the zero id, which never names a batch.
function isZero(BatchId id) pure returns (bool) {
    return BatchId.unwrap(id) == bytes32(0);
}

/// @notice The id of the batch with Merkle root `root` signed by `node`: `keccak256(abi.encode(node, root))`.
function toBatchId(address node, bytes32 root) pure returns (BatchId id) {
    // solhint-disable-next-line no-inline-assembly
    assembly ("memory-safe") {
        mstore(0x00, and(node, 0xffffffffffffffffffffffffffffffffffffffff))
        mstore(0x20, root)
        id := keccak256(0x00, 0x40)
    }
}
