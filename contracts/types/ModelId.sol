// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A model's id: `keccak256` of its artifact bytes. A distinct type so it can't be confused with other hashes.
type ModelId is bytes32;

using {eq as ==, neq as !=, isZero} for ModelId global;

function eq(ModelId a, ModelId b) pure returns (bool) {
    return ModelId.unwrap(a) == ModelId.unwrap(b);
}

function neq(ModelId a, ModelId b) pure returns (bool) {
    return ModelId.unwrap(a) != ModelId.unwrap(b);
}

/// @notice True for the zero id, which never names a model.
function isZero(ModelId id) pure returns (bool) {
    return ModelId.unwrap(id) == bytes32(0);
}
