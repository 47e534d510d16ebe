// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {ModelId} from "../types/ModelId.sol";

/// @notice Test double of the node registry views and jail that the committee-free dispute contracts use, until the
/// real registry is merged: `signerOf`, `signerAt`, `isActive`, `getNode`, `jail` (only `DISPUTE_ROLE`, idempotent).
contract NodeRegistryJailMock is AccessControl {
    bytes32 public constant DISPUTE_ROLE = keccak256("DISPUTE_ROLE");

    mapping(address node => INodeRegistry.Node) private _nodes;
    mapping(address node => uint256[]) private _signerBlocks;
    mapping(address node => address[]) private _signers;

    event NodeJailed(address indexed node);

    constructor() {
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
    }

    function setNode(address node, address signer, bool registered) external {
        _nodes[node].signer = signer;
        _nodes[node].registered = registered;
        _signerBlocks[node].push(block.number);
        _signers[node].push(registered ? signer : address(0));
    }

    function jail(address node) external onlyRole(DISPUTE_ROLE) returns (bool) {
        if (_nodes[node].jailed) return false;
        _nodes[node].jailed = true;
        emit NodeJailed(node);
        return true;
    }

    function signerAt(address node, uint256 blockNumber) external view returns (address signer) {
        if (blockNumber >= block.number)
            revert INodeRegistry.NodeRegistryFutureLookup(blockNumber, uint48(block.number));
        uint256[] storage blocks = _signerBlocks[node];
        for (uint256 i = 0; i < blocks.length && blocks[i] <= blockNumber; ++i) signer = _signers[node][i];
    }

    function signerOf(address node) external view returns (address) {
        return _nodes[node].registered ? _nodes[node].signer : address(0);
    }

    function isActive(address node) external view returns (bool) {
        return _nodes[node].registered && !_nodes[node].jailed;
    }

    function getNode(address node) external view returns (INodeRegistry.Node memory) {
        return _nodes[node];
    }

    /// @dev No observer: an attestation registry over this double reads it live on every submission.
    function nodeObserver() external pure returns (address) {
        return address(0);
    }
}

/// @notice Test double of the model registry's `isActive` and `policyOf`, until the real registry is merged.
contract ModelRegistryPolicyMock {
    mapping(ModelId id => IModelRegistry.VerificationMode) private _modes;
    mapping(ModelId id => bool) private _known;

    function setModel(ModelId id, IModelRegistry.VerificationMode mode) external {
        _modes[id] = mode;
        _known[id] = true;
    }

    function isActive(ModelId id) external view returns (bool) {
        return _known[id];
    }

    function policyOf(ModelId id) external view returns (IModelRegistry.VerificationMode mode, uint128 tolerance) {
        if (!_known[id]) revert IModelRegistry.ModelRegistryUnknownModel(id);
        return (_modes[id], 0);
    }

    /// @dev No observer: an attestation registry over this double reads it live on every submission.
    function modelObserver() external pure returns (address) {
        return address(0);
    }
}
