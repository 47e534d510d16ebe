// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";
import {IVerityValidator} from "../interfaces/IVerityValidator.sol";
import {ReceiptHashing} from "../libraries/ReceiptHashing.sol";
import {BatchId} from "../types/BatchId.sol";
import {IValidationRegistry} from "./IValidationRegistry.sol";

/// @title Verity validator for ERC-8004
/// @notice See {IVerityValidator}. Follows the ERC-8004 Validation Registry of `erc-8004/erc-8004-contracts` v2.0.0
/// (Jan 2026 spec: string tags).
contract VerityValidator is IVerityValidator {
    using ReceiptHashing for IAttestationRegistry.InferenceReceipt;

    /// @notice Type hash of the request payload whose keccak256 is a request's `requestHash`.
    // solhint-disable-next-line max-line-length
    /// @dev keccak256("VerityValidationRequest(uint256 chainId,address validator,uint256 agentId,bytes32 receiptHash,bytes32 batchId,bytes32 salt)")
    bytes32 public constant REQUEST_TYPEHASH = keccak256(
        "VerityValidationRequest(uint256 chainId,address validator,uint256 agentId,"
        "bytes32 receiptHash,bytes32 batchId,bytes32 salt)"
    );

    IAttestationRegistry private immutable _attestations;
    IValidationRegistry private immutable _registry;

    mapping(bytes32 requestHash => Answer) private _answers;

    /// @param attestations The attestation registry whose state answers are read from.
    /// @param registry The ERC-8004 Validation Registry answers are pushed to.
    constructor(IAttestationRegistry attestations, IValidationRegistry registry) {
        if (address(attestations) == address(0) || address(registry) == address(0)) revert ValidatorZeroAddress();
        _attestations = attestations;
        _registry = registry;
    }

    /// @inheritdoc IVerityValidator
    function update(
        bytes32 requestHash,
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof,
        bytes32 salt
    ) external returns (Answer answer) {
        uint256 agentId = _request(requestHash);
        bytes32 receiptHash = receipt.hash();
        bytes32 expected = _requestHashOf(agentId, receiptHash, batchId, salt);
        if (requestHash != expected) revert ValidatorRequestMismatch(requestHash, expected);

        answer = _currentAnswer(receipt, receiptHash, batchId, proof);
        Answer previous = _answers[requestHash];
        if (answer == previous) revert ValidatorAnswerUnchanged(requestHash, answer);
        if (previous == Answer.Final || previous == Answer.Rejected) {
            revert ValidatorAnswerFinalized(requestHash, previous, answer);
        }
        // `answer` is never None and differs from `previous`, which is None or Soft here: a step up the lattice.
        _answers[requestHash] = answer;
        emit AnswerUpdated(requestHash, receiptHash, msg.sender, previous, answer);

        (uint8 response, string memory tag) = _responseOf(answer);
        // responseHash names the receipt checked; there is no off-chain evidence beyond the chain, hence no URI.
        _registry.validationResponse(requestHash, response, "", receiptHash, tag);
    }

    /// @inheritdoc IVerityValidator
    function currentAnswer(
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof
    ) external view returns (Answer) {
        return _currentAnswer(receipt, receipt.hash(), batchId, proof);
    }

    /// @inheritdoc IVerityValidator
    function answerOf(bytes32 requestHash) external view returns (Answer) {
        return _answers[requestHash];
    }

    /// @inheritdoc IVerityValidator
    function requestHashOf(
        uint256 agentId,
        bytes32 receiptHash,
        BatchId batchId,
        bytes32 salt
    ) external view returns (bytes32) {
        return _requestHashOf(agentId, receiptHash, batchId, salt);
    }

    /// @inheritdoc IVerityValidator
    function responseOf(Answer answer) external pure returns (uint8 response, string memory tag) {
        return _responseOf(answer);
    }

    /// @inheritdoc IVerityValidator
    function attestationRegistry() external view returns (IAttestationRegistry) {
        return _attestations;
    }

    /// @inheritdoc IVerityValidator
    function validationRegistry() external view returns (IValidationRegistry) {
        return _registry;
    }

    /// @dev The agent of request `requestHash`; reverts unless the registry holds it and it names this validator. A
    /// registry that reverts for unknown requests (the reference one) and one that returns zeros are both handled.
    function _request(bytes32 requestHash) internal view returns (uint256 agentId) {
        address validator;
        try _registry.getValidationStatus(requestHash) returns (
            address validatorAddress,
            uint256 requestAgentId,
            uint8,
            bytes32,
            string memory,
            uint256
        ) {
            (validator, agentId) = (validatorAddress, requestAgentId);
        } catch {
            revert ValidatorUnknownRequest(requestHash);
        }
        if (validator == address(0)) revert ValidatorUnknownRequest(requestHash);
        if (validator != address(this)) revert ValidatorWrongValidator(requestHash, validator);
    }

    /// @dev The answer the attestation registry gives now. Every rule is the registry's own (`verifyInclusion`,
    /// `receiptState`, `isFinal`); `getBatch` only tells a missing batch from a wrong proof.
    function _currentAnswer(
        IAttestationRegistry.InferenceReceipt calldata receipt,
        bytes32 receiptHash,
        BatchId batchId,
        bytes32[] calldata proof
    ) internal view returns (Answer) {
        if (!_attestations.verifyInclusion(receipt, batchId, proof)) {
            bool knownBatch = !batchId.isZero() && _attestations.getBatch(batchId).node == receipt.node;
            if (knownBatch || (batchId.isZero() && proof.length != 0)) revert ValidatorWrongProof(receiptHash, batchId);
            revert ValidatorReceiptNotFound(receiptHash, batchId);
        }
        if (_attestations.receiptState(receiptHash) == IAttestationRegistry.ReceiptState.Rejected) {
            return Answer.Rejected;
        }
        return _attestations.isFinal(receipt, batchId, proof) ? Answer.Final : Answer.Soft;
    }

    function _requestHashOf(
        uint256 agentId,
        bytes32 receiptHash,
        BatchId batchId,
        bytes32 salt
    ) internal view returns (bytes32) {
        return
            keccak256(abi.encode(REQUEST_TYPEHASH, block.chainid, address(this), agentId, receiptHash, batchId, salt));
    }

    function _responseOf(Answer answer) internal pure returns (uint8 response, string memory tag) {
        if (answer == Answer.Soft) return (100, "soft");
        if (answer == Answer.Final) return (100, "final");
        if (answer == Answer.Rejected) return (0, "rejected");
        return (0, "");
    }
}
