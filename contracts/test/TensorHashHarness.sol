// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TensorHash} from "../libraries/TensorHash.sol";

/// @notice Test harness exposing {TensorHash} so TypeScript tests can compare hashes on a real chain.
contract TensorHashHarness {
    /// @notice See {TensorHash-hash}.
    function hash(uint8 dtype, uint32[] calldata shape, bytes calldata data) external pure returns (bytes32) {
        return TensorHash.hash(dtype, shape, data);
    }

    /// @notice See {TensorHash-encode}.
    function encode(uint8 dtype, uint32[] calldata shape, bytes calldata data) external pure returns (bytes memory) {
        return TensorHash.encode(dtype, shape, data);
    }
}
