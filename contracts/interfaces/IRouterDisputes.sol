// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAttestationRegistry} from "./IAttestationRegistry.sol";
import {BatchId} from "../types/BatchId.sol";

/// @title Router disputes
/// @notice The one hook the `InferenceRouter` needs from the dispute manager: open a dispute on a receipt without a
/// bond when redundant nodes disagree. The dispute then runs like any other (committee, commit-reveal, resolution in
/// the `AttestationRegistry`); the router only reads the receipt's state from the registry.
interface IRouterDisputes {
    /// @notice Opens a dispute on `receipt` on behalf of the router, without a bond. Only the router.
    /// @param receipt The receipt disputed; its window must be open and it must not be under dispute already.
    /// @param batchId The batch holding it, or zero for a receipt attested singly.
    /// @param proof Its Merkle proof in the batch (empty for a single receipt).
    /// @param conflictingOutputHash The output another assigned node claimed for the same request and input.
    function openRouterDispute(
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof,
        bytes32 conflictingOutputHash
    ) external;
}
