// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Validation Registry that answers zeros for every request
/// @notice TEST ONLY: an ERC-8004 Validation Registry variant whose `getValidationStatus` returns an empty record for an
/// unknown request instead of reverting (the reference one reverts); the validator must treat both the same.
contract ZeroStatusValidationRegistryMock {
    /// @notice The empty record, whatever the request.
    function getValidationStatus(
        bytes32
    )
        external
        pure
        returns (
            address validatorAddress,
            uint256 agentId,
            uint8 response,
            bytes32 responseHash,
            string memory tag,
            uint256 lastUpdate
        )
    {
        return (address(0), 0, 0, bytes32(0), "", 0);
    }
}
