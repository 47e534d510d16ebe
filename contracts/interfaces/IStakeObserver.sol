// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Stake observer
/// @notice Told by `Staking` whenever a node's active stake changes, so stake-weighted sortition stays current.
interface IStakeObserver {
    /// @notice Called by `Staking` after `node`'s active stake changed.
    function stakeChanged(address node) external;

    /// @notice Called by `Staking` after its minimum stake changed: every node's active status may have changed.
    function minimumStakeChanged() external;
}
