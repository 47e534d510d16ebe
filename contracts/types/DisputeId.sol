// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A dispute's id: a counter starting at 1. A distinct type so it can't be confused with other numbers.
type DisputeId is uint256;

using {eqDisputeId as ==, neqDisputeId as !=} for DisputeId global;

function eqDisputeId(DisputeId a, DisputeId b) pure returns (bool) {
    return DisputeId.unwrap(a) == DisputeId.unwrap(b);
}

function neqDisputeId(DisputeId a, DisputeId b) pure returns (bool) {
    return DisputeId.unwrap(a) != DisputeId.unwrap(b);
}
