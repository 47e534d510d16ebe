// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Bounded parameters
/// @notice The one error and the one event of every governance parameter that must stay within fixed bounds (the
/// staking, router, attestation, data-availability, equivocation, dispute and fraud-game settings). Off-chain code
/// decodes both from the ABI by the parameter's name.
interface IBoundedParameters {
    /// @notice `value` is outside [`min`, `max`] for the parameter named `parameter` (its Solidity name, left-aligned
    /// ASCII, e.g. "slashBps").
    error ParameterOutOfBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max);

    /// @notice The parameter named `parameter` is now `value` (set at construction or by the admin).
    event ParameterSet(bytes32 indexed parameter, uint256 value);
}
