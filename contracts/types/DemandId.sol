// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A data-availability demand's id: a counter starting at 1. A distinct type so it can't be confused with
/// other ids.
/// @dev The zero id never names a demand.
type DemandId is uint256;

using {eqDemandId as ==, neqDemandId as !=} for DemandId global;

function eqDemandId(DemandId a, DemandId b) pure returns (bool) {
    return DemandId.unwrap(a) == DemandId.unwrap(b);
}

function neqDemandId(DemandId a, DemandId b) pure returns (bool) {
    return DemandId.unwrap(a) != DemandId.unwrap(b);
}
