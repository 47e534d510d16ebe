// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";

import {IValidationRegistry} from "../erc8004/IValidationRegistry.sol";

/// @title ERC-8004 Validation Registry, test implementation
/// @notice TEST ONLY (local chains and tests): written from the ERC-8004 Validation Registry interface and its rules as
/// in the reference contracts `erc-8004/erc-8004-contracts` v2.0.0 (`ValidationRegistryUpgradeable`, Jan 2026 spec):
/// only the owner or an operator of `agentId` may request; a zero validator and a request hash already requested are
/// refused; only the request's validator may answer, with a response of at most 100, as often as it likes;
/// `getValidationStatus` reverts for an unknown request; `getSummary` averages answered requests filtered by
/// validators and tag. Not upgradeable, and reverts with named errors where the reference uses strings.
contract ValidationRegistryForTests is IValidationRegistry {
    struct ValidationStatus {
        address validatorAddress;
        uint256 agentId;
        uint8 response;
        bytes32 responseHash;
        string tag;
        uint256 lastUpdate;
        bool hasResponse;
    }

    error ValidationZeroAddress();
    error ValidationRequestExists(bytes32 requestHash);
    error ValidationNotAuthorized(uint256 agentId, address caller);
    error ValidationUnknownRequest(bytes32 requestHash);
    error ValidationNotValidator(bytes32 requestHash, address caller, address validator);
    error ValidationResponseOutOfRange(uint8 response);

    IERC721 private immutable _identity;

    mapping(bytes32 requestHash => ValidationStatus) private _validations;
    mapping(uint256 agentId => bytes32[]) private _agentValidations;
    mapping(address validator => bytes32[]) private _validatorRequests;

    /// @param identity The ERC-8004 identity registry (an ERC-721 of agents).
    constructor(IERC721 identity) {
        if (address(identity) == address(0)) revert ValidationZeroAddress();
        _identity = identity;
    }

    /// @inheritdoc IValidationRegistry
    function getIdentityRegistry() external view returns (address) {
        return address(_identity);
    }

    /// @inheritdoc IValidationRegistry
    function validationRequest(
        address validatorAddress,
        uint256 agentId,
        string calldata requestURI,
        bytes32 requestHash
    ) external {
        if (validatorAddress == address(0)) revert ValidationZeroAddress();
        if (_validations[requestHash].validatorAddress != address(0)) revert ValidationRequestExists(requestHash);
        address owner = _identity.ownerOf(agentId);
        if (
            msg.sender != owner &&
            !_identity.isApprovedForAll(owner, msg.sender) &&
            _identity.getApproved(agentId) != msg.sender
        ) revert ValidationNotAuthorized(agentId, msg.sender);

        ValidationStatus storage status = _validations[requestHash];
        status.validatorAddress = validatorAddress;
        status.agentId = agentId;
        status.lastUpdate = block.timestamp;
        _agentValidations[agentId].push(requestHash);
        _validatorRequests[validatorAddress].push(requestHash);
        emit ValidationRequest(validatorAddress, agentId, requestURI, requestHash);
    }

    /// @inheritdoc IValidationRegistry
    function validationResponse(
        bytes32 requestHash,
        uint8 response,
        string calldata responseURI,
        bytes32 responseHash,
        string calldata tag
    ) external {
        ValidationStatus storage status = _validations[requestHash];
        address validator = status.validatorAddress;
        if (validator == address(0)) revert ValidationUnknownRequest(requestHash);
        if (msg.sender != validator) revert ValidationNotValidator(requestHash, msg.sender, validator);
        if (response > 100) revert ValidationResponseOutOfRange(response);
        status.response = response;
        status.responseHash = responseHash;
        status.tag = tag;
        status.lastUpdate = block.timestamp;
        status.hasResponse = true;
        emit ValidationResponse(validator, status.agentId, requestHash, response, responseURI, responseHash, tag);
    }

    /// @inheritdoc IValidationRegistry
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
        )
    {
        ValidationStatus storage status = _validations[requestHash];
        if (status.validatorAddress == address(0)) revert ValidationUnknownRequest(requestHash);
        return (
            status.validatorAddress,
            status.agentId,
            status.response,
            status.responseHash,
            status.tag,
            status.lastUpdate
        );
    }

    /// @inheritdoc IValidationRegistry
    function getSummary(
        uint256 agentId,
        address[] calldata validatorAddresses,
        string calldata tag
    ) external view returns (uint64 count, uint8 averageResponse) {
        bytes32[] storage requestHashes = _agentValidations[agentId];
        bytes32 tagHash = keccak256(bytes(tag));
        uint256 total;
        for (uint256 i = 0; i < requestHashes.length; ++i) {
            ValidationStatus storage status = _validations[requestHashes[i]];
            if (!status.hasResponse) continue;
            if (bytes(tag).length != 0 && keccak256(bytes(status.tag)) != tagHash) continue;
            if (!_contains(validatorAddresses, status.validatorAddress)) continue;
            total += status.response;
            ++count;
        }
        // Each response is at most 100, so the average fits a uint8.
        averageResponse = count == 0 ? 0 : uint8(total / count);
    }

    /// @inheritdoc IValidationRegistry
    function getAgentValidations(uint256 agentId) external view returns (bytes32[] memory) {
        return _agentValidations[agentId];
    }

    /// @inheritdoc IValidationRegistry
    function getValidatorRequests(address validatorAddress) external view returns (bytes32[] memory) {
        return _validatorRequests[validatorAddress];
    }

    /// @dev True when `list` is empty (no filter) or holds `validator`.
    function _contains(address[] calldata list, address validator) private pure returns (bool) {
        if (list.length == 0) return true;
        for (uint256 i = 0; i < list.length; ++i) if (list[i] == validator) return true;
        return false;
    }
}
