// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Test double of the node registry's signer and activity views, used until the real registry is merged.
contract NodeRegistryMock {
    mapping(address node => address) private _signers;
    mapping(address node => bool) private _active;

    function setNode(address node, address signer, bool active) external {
        _signers[node] = signer;
        _active[node] = active;
    }

    function signerOf(address node) external view returns (address) {
        return _signers[node];
    }

    function isActive(address node) external view returns (bool) {
        return _active[node];
    }
}

/// @notice Test double of the model registry's `isActive`, used until the real registry is merged.
contract ModelRegistryMock {
    mapping(bytes32 id => bool) private _active;

    function setActive(bytes32 id, bool active) external {
        _active[id] = active;
    }

    function isActive(bytes32 id) external view returns (bool) {
        return _active[id];
    }
}
