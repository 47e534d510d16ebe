// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RequestId} from "../types/RequestId.sol";

/// @title Inference consumer
/// @notice Implemented by a contract that requests inference from the `InferenceRouter` and wants the result pushed to
/// it at settlement.
/// @dev The router calls it with the gas cap the consumer chose at request time, after settlement is recorded and the
/// fees are paid: a revert, an out-of-gas or a reentrant call into the router only costs the consumer its callback
/// (the router emits `CallbackFailed`). An implementation should check that `msg.sender` is the router.
interface IInferenceConsumer {
    /// @notice The final result of `requestId`.
    /// @param requestId The request.
    /// @param outputHash Canonical tensor hash of the output (the output itself is served by the node off chain).
    /// @param node The node whose final receipt supplied the result.
    /// @param receiptHash The EIP-712 struct hash of that receipt.
    function onInferenceResult(RequestId requestId, bytes32 outputHash, address node, bytes32 receiptHash) external;
}
