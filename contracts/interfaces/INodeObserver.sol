// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Node observer
/// @notice Told by the node registry whenever a node's signer or active status may have changed, so a contract that
/// keeps its own copy of them (the attestation registry) stays current.
interface INodeObserver {
    /// @notice Called by the node registry after `node` registered, rotated its signer, deregistered, was jailed or
    /// unjailed, had its active stake changed, or was synced through `syncWeight`.
    function nodeChanged(address node) external;

    /// @notice Called by the node registry after Staking's minimum stake changed: any node's active status may have
    /// changed, so every copy made before is stale. The attestation registry accepts it only from its node registry
    /// and bumps its `parametersVersion`.
    function minimumStakeChanged() external;
}
