// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ModelId} from "../types/ModelId.sol";

/// @title Fraud judge
/// @notice The one question every dispute path asks before a receipt is judged: can the trust-minimized fraud-proof
/// game decide receipts of this model? Where it can, no weaker judge (a committee) may take the receipt first: the
/// `AttestationRegistry` opens disputes on such receipts only for the fraud judge it is configured with, and the
/// `InferenceRouter` leaves their disagreements to it.
interface IFraudJudge {
    /// @notice True when this judge can decide receipts of `model` (for `FraudGame`: the model is registered `EXACT`
    /// with runtime `keccak256("verity-int8-v2")`). A function of the model's registration alone, which never changes
    /// once registered (deprecation does not change it). False for an unknown model.
    /// @param model The model id.
    /// @return provable Whether receipts of `model` are decided by this judge.
    function isFraudProvable(ModelId model) external view returns (bool provable);
}
