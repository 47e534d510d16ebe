// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";
import {IRouterDisputes} from "../interfaces/IRouterDisputes.sol";
import {BatchId} from "../types/BatchId.sol";

/// @notice Test double of the dispute manager's router hook, used until the real `DisputeManager` is merged: opens the
/// dispute in the attestation registry (it holds the registry's dispute role) and lets a test resolve it.
contract RouterDisputesMock is IRouterDisputes {
    error RouterDisputesMockNotRouter(address caller);

    event RouterDisputeOpened(
        bytes32 indexed receiptHash,
        BatchId indexed batchId,
        address indexed node,
        bytes32 conflictingOutputHash
    );

    IAttestationRegistry public immutable attestations;
    address public router;

    constructor(IAttestationRegistry attestations_) {
        attestations = attestations_;
    }

    function setRouter(address router_) external {
        router = router_;
    }

    function openRouterDispute(
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof,
        bytes32 conflictingOutputHash
    ) external {
        if (msg.sender != router) revert RouterDisputesMockNotRouter(msg.sender);
        (bytes32 receiptHash, ) = attestations.openDispute(receipt, batchId, proof);
        emit RouterDisputeOpened(receiptHash, batchId, receipt.node, conflictingOutputHash);
    }

    /// @notice Stands in for a verifier's challenge (a dispute not opened through the router).
    function open(
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof
    ) external {
        attestations.openDispute(receipt, batchId, proof);
    }

    /// @notice Stands in for a committee's verdict.
    function resolve(bytes32 receiptHash, bool wrong) external {
        attestations.resolveDispute(receiptHash, wrong);
    }

    /// @notice Stands in for a dispute nobody decided: the receipt's window is extended by the time it was disputed.
    function expire(bytes32 receiptHash) external {
        attestations.expireDispute(receiptHash);
    }
}
