// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Basis points
/// @notice The one denominator of every share in basis points across the contracts (fees, slashes, rewards, bonds).
library BasisPoints {
    /// @notice Basis points of a whole: a share of `bps` is `amount * bps / WHOLE`.
    uint256 internal constant WHOLE = 10_000;
}
