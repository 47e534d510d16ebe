// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Time} from "@openzeppelin/contracts/utils/types/Time.sol";

/// @title Clock
/// @notice The one clock of the contracts: the block timestamp as a `uint48` (OpenZeppelin `Time`, which reverts
/// past the year 8,921,556). Every deadline, window and period is measured against it.
abstract contract Clock {
    /// @dev The current time in seconds.
    function _clock() internal view virtual returns (uint48) {
        return Time.timestamp();
    }
}
