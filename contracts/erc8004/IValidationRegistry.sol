// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ERC-8004 (Trustless Agents) Validation Registry
/// @notice The Validation Registry interface of ERC-8004 as this repository follows it: the reference contracts of
/// `erc-8004/erc-8004-contracts`, `ValidationRegistryUpgradeable` with `getVersion() == "2.0.0"` (commit 27caef9 of
/// 2026-01-24) and the specification text shipped with them (`ERC8004SPEC.md`, commit 093d7b9 of 2026-01-25, the
/// "Jan 2026" update of the EIP). In that version `tag` is a `string` (it was `bytes32` in the 2025 drafts),
/// `getValidationStatus` returns `responseHash`, and the URI parameters are spelled `requestURI` / `responseURI`.
/// The specification marks the Validation Registry as still under discussion; anything not in this interface (errors,
/// the identity check's exact form) is implementation-defined.
/// @dev An agent (the owner or an approved operator of the ERC-721 `agentId` in the identity registry) asks
/// `validatorAddress` to check a piece of work identified by `requestHash`; only that validator may answer, with a
/// value in [0, 100] and an optional tag, and it may answer again (e.g. "soft" then "final" finality).
interface IValidationRegistry {
    /// @notice `agentId` asked `validatorAddress` to validate the work committed to by `requestHash`.
    event ValidationRequest(
        address indexed validatorAddress,
        uint256 indexed agentId,
        string requestURI,
        bytes32 indexed requestHash
    );

    /// @notice `validatorAddress` answered (or answered again) the request `requestHash`.
    event ValidationResponse(
        address indexed validatorAddress,
        uint256 indexed agentId,
        bytes32 indexed requestHash,
        uint8 response,
        string responseURI,
        bytes32 responseHash,
        string tag
    );

    /// @notice The ERC-8004 identity registry (ERC-721) whose token ids are the agent ids.
    function getIdentityRegistry() external view returns (address);

    /// @notice Asks `validatorAddress` to validate the work committed to by `requestHash`.
    /// @dev MUST be called by the owner or an operator of `agentId`. The reference implementation refuses a zero
    /// validator and a `requestHash` already requested (by anyone).
    /// @param validatorAddress The validator that alone may answer.
    /// @param agentId The requesting agent.
    /// @param requestURI Off-chain data with everything the validator needs.
    /// @param requestHash A commitment to that data (keccak256 of the request payload); identifies the request.
    function validationRequest(
        address validatorAddress,
        uint256 agentId,
        string calldata requestURI,
        bytes32 requestHash
    ) external;

    /// @notice Answers the request `requestHash`; may be called again to update the answer.
    /// @dev MUST be called by the request's `validatorAddress`; `response` MUST be at most 100.
    /// @param requestHash The request answered.
    /// @param response 0 (failed) to 100 (passed).
    /// @param responseURI Optional off-chain evidence.
    /// @param responseHash Optional commitment to that evidence.
    /// @param tag Optional free-form category (e.g. "soft", "final").
    function validationResponse(
        bytes32 requestHash,
        uint8 response,
        string calldata responseURI,
        bytes32 responseHash,
        string calldata tag
    ) external;

    /// @notice The request `requestHash` and its latest answer.
    /// @dev The reference implementation reverts for an unknown `requestHash`.
    function getValidationStatus(
        bytes32 requestHash
    )
        external
        view
        returns (
            address validatorAddress,
            uint256 agentId,
            uint8 response,
            bytes32 responseHash,
            string memory tag,
            uint256 lastUpdate
        );

    /// @notice How many of `agentId`'s requests have an answer, and their average response, optionally filtered by
    /// validators (empty: all) and by tag (empty: all).
    function getSummary(
        uint256 agentId,
        address[] calldata validatorAddresses,
        string calldata tag
    ) external view returns (uint64 count, uint8 averageResponse);

    /// @notice Every request hash `agentId` made, in order.
    function getAgentValidations(uint256 agentId) external view returns (bytes32[] memory requestHashes);

    /// @notice Every request hash addressed to `validatorAddress`, in order.
    function getValidatorRequests(address validatorAddress) external view returns (bytes32[] memory requestHashes);
}
