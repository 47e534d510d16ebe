// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {ModelId} from "../types/ModelId.sol";

/// @title ModelRegistry
/// @notice Permissionless registry of models by artifact hash. There is no admin: a model belongs to its owner.
contract ModelRegistry is IModelRegistry {
    /// @notice The largest `TOLERANCE` tolerance accepted (1e36 = 1e18 in 18-decimal fixed point).
    uint128 public constant MAX_TOLERANCE = 1e36;

    mapping(ModelId id => Model) private _models;

    /// @inheritdoc IModelRegistry
    function registerModel(ModelRegistration calldata registration) external {
        ModelId id = registration.id;
        if (id.isZero()) revert ModelRegistryZeroId();
        if (registration.runtimeId == bytes32(0)) revert ModelRegistryZeroRuntime();
        if (bytes(registration.metadataURI).length == 0) revert ModelRegistryEmptyURI();
        if (_models[id].status != ModelStatus.None) revert ModelRegistryAlreadyRegistered(id);
        _checkPolicy(registration.mode, registration.tolerance);
        if (!registration.previous.isZero()) {
            if (registration.previous == id) revert ModelRegistrySelfReference(id);
            _checkOwner(registration.previous, msg.sender);
        }

        _models[id] = Model({
            owner: msg.sender,
            mode: registration.mode,
            status: ModelStatus.Active,
            registeredAt: SafeCast.toUint48(block.timestamp),
            tolerance: registration.tolerance,
            runtimeId: registration.runtimeId,
            weightsRoot: registration.weightsRoot,
            previous: registration.previous,
            metadataURI: registration.metadataURI
        });
        emit ModelRegistered(
            id,
            msg.sender,
            registration.runtimeId,
            registration.mode,
            registration.tolerance,
            registration.weightsRoot,
            registration.previous,
            registration.metadataURI
        );
    }

    /// @inheritdoc IModelRegistry
    function deprecateModel(ModelId id) external {
        _checkOwner(id, msg.sender);
        Model storage model = _models[id];
        if (model.status == ModelStatus.Deprecated) revert ModelRegistryAlreadyDeprecated(id);
        model.status = ModelStatus.Deprecated;
        emit ModelDeprecated(id);
    }

    /// @inheritdoc IModelRegistry
    function transferModel(ModelId id, address newOwner) external {
        _checkOwner(id, msg.sender);
        if (newOwner == address(0)) revert ModelRegistryZeroOwner();
        _models[id].owner = newOwner;
        emit ModelOwnershipTransferred(id, msg.sender, newOwner);
    }

    /// @inheritdoc IModelRegistry
    function getModel(ModelId id) external view returns (Model memory) {
        return _models[id];
    }

    /// @inheritdoc IModelRegistry
    function isActive(ModelId id) external view returns (bool) {
        return _models[id].status == ModelStatus.Active;
    }

    /// @inheritdoc IModelRegistry
    function policyOf(ModelId id) external view returns (VerificationMode mode, uint128 tolerance) {
        Model storage model = _models[id];
        if (model.status == ModelStatus.None) revert ModelRegistryUnknownModel(id);
        return (model.mode, model.tolerance);
    }

    function _checkOwner(ModelId id, address caller) private view {
        Model storage model = _models[id];
        if (model.status == ModelStatus.None) revert ModelRegistryUnknownModel(id);
        if (model.owner != caller) revert ModelRegistryNotOwner(id, caller, model.owner);
    }

    /// @dev Only modes with a working verifier are accepted: EXACT (integer replay, no tolerance) and TOLERANCE.
    function _checkPolicy(VerificationMode mode, uint128 tolerance) private pure {
        if (mode == VerificationMode.TEE || mode == VerificationMode.ZK) revert ModelRegistryModeNotSupported(mode);
        bool valid = mode == VerificationMode.EXACT ? tolerance == 0 : tolerance > 0 && tolerance <= MAX_TOLERANCE;
        if (!valid) revert ModelRegistryInvalidTolerance(mode, tolerance);
    }
}
