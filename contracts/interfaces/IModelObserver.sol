// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ModelId} from "../types/ModelId.sol";

/// @title Model observer
/// @notice Told by the model registry whenever a model's active status changed (registration, deprecation), so a
/// contract that keeps its own copy of it (the attestation registry) stays current.
interface IModelObserver {
    /// @notice Called by the model registry after `model` was registered or deprecated.
    function modelChanged(ModelId model) external;
}
