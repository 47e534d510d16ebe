// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IBoundedParameters} from "../interfaces/IBoundedParameters.sol";

/// @title Bounded parameter checks
/// @notice The one bounds check every bounded setter and constructor runs before it stores a parameter.
library BoundedParameters {
    /// @notice Reverts with `IBoundedParameters.ParameterOutOfBounds` unless `min <= value <= max`.
    /// @param parameter The parameter's Solidity name, e.g. "slashBps".
    /// @param value The proposed value.
    /// @param min The smallest value accepted.
    /// @param max The largest value accepted.
    function check(bytes32 parameter, uint256 value, uint256 min, uint256 max) internal pure {
        if (value < min || value > max) revert IBoundedParameters.ParameterOutOfBounds(parameter, value, min, max);
    }
}
