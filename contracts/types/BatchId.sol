// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A receipt batch's id: its Merkle root. A distinct type so it can't be confused with other hashes.
/// @dev The zero id never names a batch; `isFinal` and `verifyInclusion` read it as "a single receipt".
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
