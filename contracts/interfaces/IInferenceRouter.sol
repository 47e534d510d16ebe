// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IAttestationRegistry} from "./IAttestationRegistry.sol";
import {IBoundedParameters} from "./IBoundedParameters.sol";
import {IPullCredits} from "./IPullCredits.sol";
import {BatchId} from "../types/BatchId.sol";
import {ModelId} from "../types/ModelId.sol";
import {RequestId} from "../types/RequestId.sol";

/// @title Inference router
/// @notice On-chain inference requests. A consumer escrows a fee in the stake token for an input to a model; nodes
/// serving the model are drawn by stake-weighted sortition; the assigned nodes attest their receipts in the
/// `AttestationRegistry` and anyone relays them here with `fulfill`; once every receipt's challenge window has closed
/// with no open dispute the request settles: each fulfilling node is paid its share of the fee (less the protocol
/// share, which goes to the staking treasury) and the consumer's callback runs under the gas cap it chose.
///
/// Nodes that miss the deadline are charged a liveness penalty (a small slash) when anyone calls `reassign`, and
/// replacements are drawn, up to the request's reassignment limit; a request that no node served is refunded.
///
/// Inputs: a consumer either puts the input on chain (`RequestParams.input`, the canonical tensor encoding, checked to
/// hash to `inputHash` and emitted in `InputPublished`, where nodes read it), or only names it by `inputURI`. Only an
/// input on chain is provably available, so only then does a missed deadline cost a node its liveness penalty. For an
/// input by URI, an assigned node that cannot get it calls `claimInputUnavailable`: the consumer (or anyone holding the
/// input) must then `publishInput` on chain within the request's response time, which gives every node a full
/// response time again and answers the claims; if nobody does, the request takes no more fulfilments or rounds, and at
/// settlement or refund each claiming node is paid its slot share (less the protocol cut) out of the consumer's fee:
/// the consumer pays for its own unavailable input, and no node is penalized. A node may also claim on an input that is
/// on chain (one it cannot run, e.g. of the wrong shape for the model): that claim only excuses it from the penalty of
/// this round and pays nothing.
///
/// @dev Time: a request is open for fulfilment while `now < deadline`; from `now == deadline` on it is expired.
///
/// Money: the fee is split into `redundancy` equal slot shares (`fee / redundancy`, rounded down). At settlement each
/// slot whose receipt earned its fee (see below), and each compensated claim, pays its share:
/// `share * protocolFeeBps / 10_000` (rounded down) to the treasury and the rest to the node. Everything else
/// (unfilled, rejected or contradicted slots, rounding dust) goes back to the consumer, so
/// `fee == paid to nodes + paid to treasury + refunded` for every request. Payments are pulled: settlement and refund
/// only credit each party (`claimableOf`), who withdraws with `claim(to)` (see {IPullCredits}); no transfer to anyone
/// happens inside `settle` or `refund`, so a recipient that refuses tokens (blacklist, a reverting receive hook) blocks
/// only its own claim.
///
/// Finality of a fulfilled receipt is `IAttestationRegistry.isFinal` evaluated without resending the receipt: its
/// inclusion was verified at `fulfill`, its window end was recorded then, and its dispute record is read by struct hash
/// (`getReceiptDispute`: its state, and the window as extended by a dispute that expired undecided, whose later end
/// applies). A rejected receipt is never paid; a disputed one holds the whole request until it is resolved, and one
/// whose dispute expired until its extended window closes.
///
/// Disagreement: when a fulfilled output hash differs from one fulfilled before it, the router opens a dispute on the
/// new receipt through the dispute manager (no bond), and anyone may open the same kind of dispute on every other
/// fulfilled receipt of the request that disagrees with another (`disputeFulfillment`) while its window is open: each
/// side of a disagreement can be put under judgment, the earlier side included. A fulfilled receipt earns its fee only
/// when it is upheld by a dispute, or when it was never judged and every fulfilment contradicting it was rejected:
/// so of two disagreeing receipts, one that is wrong is never paid (it is rejected, or unjudged and contradicted), and
/// one that is right is paid once its own dispute upholds it or the other side's dispute rejects the other. The result
/// given to the consumer is the output of the earliest-fulfilled earning receipt upheld by a dispute, or, when none
/// was, of the earliest-fulfilled earning receipt.
///
/// Disagreement on a fraud-provable model (`IAttestationRegistry.fraudJudgeOf(model)` not zero: EXACT models of
/// `verity-int8-v2`): the committee may not judge it, and the fraud game needs a challenger who plays its moves, so the
/// router opens nothing. `fulfill` succeeds and emits `DisagreementNeedsFraudProof`; the honest side (the node whose
/// fee is at stake, or any verifier) opens the game with `FraudGame.challengeFulfillment` while the receipt's window is
/// open. `disputeFulfillment` reverts (`RouterDisagreementNeedsFraudProof`). Payment follows the same rules: a receipt
/// under an open game holds the request, a rejected one is never paid, an unjudged one contradicted by an unrejected
/// one is not paid; if nobody plays, neither side of the disagreement is paid and their shares go back to the
/// consumer.
///
/// Parameters (`protocolFeeBps`, `livenessPenalty`, `maxReassignments`) are copied into each request when it is made:
/// later changes never reach open requests.
interface IInferenceRouter is IPullCredits, IBoundedParameters {
    /// @notice Lifecycle of a request, computed from its timepoints and flags.
    /// @dev `None`: unknown id. `Pending`: before the deadline, some slots not fulfilled. `Expired`: deadline passed
    /// with slots unfilled and a reassignment still possible (`reassign`). `Unservable`: deadline passed, no
    /// reassignment possible and nothing fulfilled (`refund`). `Verifying`: no more fulfilments expected (all slots
    /// filled, or deadline passed with no reassignment possible) and some receipt is still in its window or under
    /// dispute. `Settleable`: every fulfilled receipt is final or rejected (`settle`). `Settled` and `Refunded`: done.
    enum RequestState {
        None,
        Pending,
        Expired,
        Unservable,
        Verifying,
        Settleable,
        Settled,
        Refunded
    }

    /// @notice How a request ended (stored; everything else is computed).
    enum Outcome {
        Open,
        Settled,
        Refunded
    }

    /// @notice What a consumer asks for.
    /// @param modelId The model to run: registered and active.
    /// @param inputHash Canonical tensor hash of the input: not zero. Assigned nodes must name it in their receipts.
    /// @param inputURI Where the nodes fetch the input (only emitted, not stored), at most `MAX_INPUT_URI_LENGTH`
    /// bytes.
    /// @param input The input's canonical tensor encoding, to put it on chain (emitted in `InputPublished`, not
    /// stored), at most `MAX_INPUT_LENGTH` bytes and hashing to `inputHash`; empty for an input named only by URI.
    /// @param redundancy How many distinct nodes run it, within [1, `MAX_REDUNDANCY`].
    /// @param deadline Until when receipts can be relayed (exclusive): `now + MIN_RESPONSE_TIME` to
    /// `now + MAX_RESPONSE_TIME`. A reassignment gives the replacements the same response time again.
    /// @param callbackGasLimit Gas for `IInferenceConsumer.onInferenceResult` at settlement, at most
    /// `MAX_CALLBACK_GAS`; zero for no callback. Only called when the consumer has code.
    /// @param fee Tokens escrowed, at least `minFeePerNode * redundancy`, below 2^128.
    struct RequestParams {
        ModelId modelId;
        bytes32 inputHash;
        string inputURI;
        bytes input;
        uint8 redundancy;
        uint48 deadline;
        uint32 callbackGasLimit;
        uint256 fee;
    }

    /// @notice A stored request. Five slots: (`consumer` 20 + `deadline` 6 + `responseTime` 4 + `redundancy` 1 +
    /// `fulfilled` 1), `modelId`, `inputHash`, (`fee` 16 + `livenessPenalty` 12 + `callbackGasLimit` 4),
    /// (`createdAt` 6 + `protocolFeeBps` 2 + `reassignments` 1 + `maxReassignments` 1 + `closed` 1 + `penalized` 1 +
    /// `outcome` 1 + `inputOnChain` 1 + `publishBy` 6).
    /// @param consumer Who paid the fee; gets refunds and the callback.
    /// @param deadline The current round's deadline.
    /// @param responseTime Seconds from request to deadline; each reassignment gets it again.
    /// @param redundancy Number of slots.
    /// @param fulfilled How many slots have a relayed receipt.
    /// @param modelId The model.
    /// @param inputHash The input's hash.
    /// @param fee The escrowed fee.
    /// @param livenessPenalty What a node missing the deadline is slashed (copied at request time).
    /// @param callbackGasLimit The consumer's callback gas cap.
    /// @param createdAt When the request was made.
    /// @param protocolFeeBps The treasury's share of each paid slot (copied at request time).
    /// @param reassignments How many times absent nodes were replaced.
    /// @param maxReassignments The limit of `reassignments` (copied at request time).
    /// @param closed True once a reassignment found no replacement: no more rounds.
    /// @param penalized True once the absent nodes of the current round were charged.
    /// @param outcome Open, settled or refunded.
    /// @param inputOnChain True once the input is on chain (given with the request, or by `publishInput`).
    /// @param publishBy Set by the first claim on an input not on chain: the input must be published before it.
    struct Request {
        address consumer;
        uint48 deadline;
        uint32 responseTime;
        uint8 redundancy;
        uint8 fulfilled;
        ModelId modelId;
        bytes32 inputHash;
        uint128 fee;
        uint96 livenessPenalty;
        uint32 callbackGasLimit;
        uint48 createdAt;
        uint16 protocolFeeBps;
        uint8 reassignments;
        uint8 maxReassignments;
        bool closed;
        bool penalized;
        Outcome outcome;
        bool inputOnChain;
        uint48 publishBy;
    }

    /// @notice One slot of a request. Three slots: (`node` 20 + `windowEnd` 6 + `rank` 1 + `inputClaimed` 1),
    /// `receiptHash`, `outputHash`.
    /// @param node The node assigned to it now.
    /// @param windowEnd The challenge window end of its relayed receipt (zero until fulfilled).
    /// @param rank 1 for the first slot fulfilled, 2 for the second, ...; zero while unfilled.
    /// @param inputClaimed True when its current node claimed the input unavailable (and no publication answered it).
    /// @param receiptHash The EIP-712 struct hash of its relayed receipt.
    /// @param outputHash The output hash its receipt claims.
    struct Assignment {
        address node;
        uint48 windowEnd;
        uint8 rank;
        bool inputClaimed;
        bytes32 receiptHash;
        bytes32 outputHash;
    }

    error RouterZeroAddress();
    error RouterModelNotActive(ModelId modelId);
    error RouterZeroInputHash();
    error RouterRedundancyOutOfBounds(uint8 redundancy, uint8 min, uint8 max);
    error RouterDeadlineOutOfBounds(uint48 deadline, uint48 earliest, uint48 latest);
    error RouterCallbackGasOutOfBounds(uint32 callbackGasLimit, uint32 max);
    error RouterFeeTooLow(uint256 fee, uint256 minimum);
    error RouterTransferAmountMismatch(uint256 expected, uint256 received);
    error RouterNotEnoughNodes(ModelId modelId, uint256 required, uint256 drawn);
    error RouterUnexpectedState(RequestId id, RequestState current, RequestState expected);
    error RouterDeadlinePassed(RequestId id, uint48 deadline, uint48 currentTime);
    error RouterReceiptRequestMismatch(RequestId id, bytes32 receiptRequestId);
    error RouterReceiptModelMismatch(RequestId id, ModelId expected, ModelId actual);
    error RouterReceiptInputMismatch(RequestId id, bytes32 expected, bytes32 actual);
    error RouterNodeNotAssigned(RequestId id, address node);
    error RouterAlreadyFulfilled(RequestId id, address node);
    error RouterReceiptNotAttested(RequestId id, bytes32 receiptHash, BatchId batchId);
    error RouterReceiptWindowClosed(RequestId id, bytes32 receiptHash, uint48 windowEnd, uint48 currentTime);
    error RouterReceiptRejected(RequestId id, bytes32 receiptHash);
    error RouterReceiptNotFulfilled(RequestId id, bytes32 receiptHash);
    error RouterNoDisagreement(RequestId id, bytes32 receiptHash);
    /// @notice The disagreement on receipt `receiptHash` of request `id` is decided by the fraud game `judge`
    /// (`FraudGame.challengeFulfillment`), not by a committee.
    error RouterDisagreementNeedsFraudProof(RequestId id, bytes32 receiptHash, address judge);
    error RouterInsufficientCallbackGas(RequestId id, uint256 available, uint256 required);
    error RouterInputURITooLong(uint256 length, uint256 max);
    error RouterInputTooLong(uint256 length, uint256 max);
    error RouterInputHashMismatch(bytes32 expected, bytes32 actual);
    error RouterInputOnChain(RequestId id);
    error RouterInputAlreadyClaimed(RequestId id, address node);

    /// @notice A request was made and its fee escrowed. Its assigned nodes follow as `NodeAssigned`.
    event RequestCreated(
        RequestId indexed id,
        address indexed consumer,
        ModelId indexed modelId,
        bytes32 inputHash,
        string inputURI,
        uint8 redundancy,
        uint256 fee,
        uint48 deadline,
        uint32 callbackGasLimit
    );

    /// @notice The input of request `id` is on chain: `input` (its canonical tensor encoding), given by `publisher`.
    event InputPublished(RequestId indexed id, address indexed publisher, bytes input);

    /// @notice Assigned `node` claimed it cannot serve request `id`'s input. `inputOnChain` false: the input must be
    /// published on chain before `publishBy`; true: the node only declines this round, unpenalized and unpaid.
    event InputClaimedUnavailable(RequestId indexed id, address indexed node, bool inputOnChain, uint48 publishBy);

    /// @notice A publication answered the claims on request `id`: fulfilments are taken until `deadline`.
    event RequestDeadlineExtended(RequestId indexed id, uint48 deadline);

    /// @notice The input of request `id` was never published after `node`'s claim: `node` was credited `amount`.
    event InputClaimCompensated(RequestId indexed id, address indexed node, uint256 amount);

    /// @notice `node` must serve slot `slot` of request `id` by `deadline` (round 0 at creation, then one per
    /// reassignment).
    event NodeAssigned(RequestId indexed id, address indexed node, uint8 slot, uint8 round, uint48 deadline);

    /// @notice `node`'s attested receipt for request `id` was accepted (`batchId` zero: attested singly).
    event RequestFulfilled(
        RequestId indexed id,
        address indexed node,
        bytes32 indexed receiptHash,
        bytes32 outputHash,
        BatchId batchId,
        uint8 rank
    );

    /// @notice A fulfilled receipt disagreeing with another of the same request was put under dispute.
    event DisagreementDisputed(
        RequestId indexed id,
        address indexed node,
        bytes32 indexed receiptHash,
        bytes32 outputHash
    );

    /// @notice A fulfilled receipt (`outputHash`) disagrees with another fulfilment of the same request
    /// (`conflictingOutputHash`, the earliest-fulfilled such output) and its model is decided by the fraud game
    /// `judge`: no dispute was opened; whichever side is wrong is to be challenged there
    /// (`FraudGame.challengeFulfillment`).
    event DisagreementNeedsFraudProof(
        RequestId indexed id,
        address indexed node,
        bytes32 indexed receiptHash,
        bytes32 outputHash,
        bytes32 conflictingOutputHash,
        address judge
    );

    /// @notice `node` missed the deadline of request `id` and was slashed `slashed` of the `requested` penalty.
    event NodePenalized(RequestId indexed id, address indexed node, uint256 requested, uint256 slashed);

    /// @notice Absent nodes of request `id` were replaced; round `round` runs until `deadline`.
    event RequestReassigned(RequestId indexed id, uint8 round, uint48 deadline);

    /// @notice No replacement could be drawn for request `id`: it takes no more fulfilments.
    event RequestClosed(RequestId indexed id, uint8 round);

    /// @notice `node` was credited `amount` for its final receipt of request `id`.
    event FeePaid(RequestId indexed id, address indexed node, uint256 amount);

    /// @notice Request `id` settled with `outputHash` from `node` (both zero when every receipt was rejected).
    event RequestSettled(
        RequestId indexed id,
        address indexed node,
        bytes32 outputHash,
        uint256 paidToNodes,
        uint256 toTreasury,
        uint256 refunded
    );

    /// @notice Request `id`, which no node served, credited `amount` of its fee back to `consumer` (the whole fee, less
    /// any compensation of claims on an input that was never published).
    event RequestRefunded(RequestId indexed id, address indexed consumer, uint256 amount);

    /// @notice The consumer's callback for request `id` reverted or ran out of gas; settlement stands.
    event CallbackFailed(RequestId indexed id, address indexed consumer);

    /// @notice Makes a request, escrows `params.fee` from the caller and assigns `params.redundancy` distinct nodes.
    /// @dev Reverts when paused, on any bound in `RequestParams` (`RouterInputURITooLong`, `RouterInputTooLong`,
    /// `RouterInputHashMismatch` among them), when the token delivers less than the fee
    /// (fee-on-transfer), or when sortition cannot draw enough distinct nodes within its bounded attempts.
    ///
    /// Randomness: seeds are `keccak256(prevrandao, blockhash(n - 1), id, round, attempt)`. A block proposer can bias
    /// them (withhold a block) and the consumer can choose when to send; both only change which staked nodes are
    /// drawn, in proportion to their stake, and every drawn node's result is still attested, challengeable and
    /// slashable. Not suitable where an assignment itself is worth more than a block reward.
    /// @param params The request.
    /// @return id The request id, which the nodes put in their receipts.
    function request(RequestParams calldata params) external returns (RequestId id);

    /// @notice Relays an assigned node's attested receipt for request `id`. Anyone may call it.
    /// @dev Reverts unless: the request is `Pending` (`RouterDeadlinePassed` when its deadline is reached); the
    /// receipt names `id`, the request's model and input hash, and a node assigned to an unfilled slot now; it is
    /// attested (singly when `batchId` is zero, else in that batch of that node with `proof`); its challenge window is
    /// still open; it is not rejected. When its output differs from an earlier fulfilment, a dispute is opened on it
    /// (`DisagreementDisputed`), unless its model is fraud-provable: then none is (`DisagreementNeedsFraudProof`).
    /// @param id The request.
    /// @param receipt The node's receipt.
    /// @param batchId The batch that attests it, or zero for a receipt attested singly.
    /// @param proof Its Merkle proof in the batch (empty for a single receipt).
    function fulfill(
        RequestId id,
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof
    ) external;

    /// @notice Opens a dispute (no bond) on a fulfilled receipt of request `id` whose output differs from another
    /// fulfilled output of that request. Anyone may call it, while the receipt's window is open.
    /// @dev Reverts unless the request is not yet settled or refunded, the receipt is one fulfilled for `id`, another
    /// fulfilment disagrees with it, and the dispute manager accepts it (window open, not disputed before). Reverts
    /// with `RouterDisagreementNeedsFraudProof` when the receipt's model is fraud-provable (use the fraud game).
    function disputeFulfillment(
        RequestId id,
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof
    ) external;

    /// @notice Puts the input of request `id` on chain. Anyone may call it (the bytes are checked against `inputHash`)
    /// while the request is `Pending` and its input is not on chain yet.
    /// @dev From then on missed deadlines carry the liveness penalty. When a claim is open, the deadline becomes at
    /// least `now + responseTime` (`RequestDeadlineExtended`) and the claims are answered (cleared).
    /// @param id The request.
    /// @param input The canonical tensor encoding, at most `MAX_INPUT_LENGTH` bytes, hashing to the request's
    /// `inputHash`.
    function publishInput(RequestId id, bytes calldata input) external;

    /// @notice Claims, as the node assigned to an unfilled slot of `Pending` request `id`, that it cannot serve the
    /// input. The caller must be the node's operator address.
    /// @dev For an input not on chain, the first claim opens a publication period of the request's response time
    /// (`publishBy`); the request stays `Pending` until then. If the input is not published by then, the request takes
    /// no more fulfilments or rounds, no node is penalized, and every claiming node still unfilled is compensated at
    /// settlement or refund. For an input already on chain, the claim only excuses the node from this round's
    /// penalty. Reverts for a node not assigned now, a filled slot, or a second claim of the same node.
    function claimInputUnavailable(RequestId id) external;

    /// @notice Replaces the nodes that missed request `id`'s deadline, charging each the request's liveness
    /// penalty when the input is on chain and the node did not claim it unservable. Anyone may call it once the
    /// request is `Expired`.
    /// @dev When the model has no weight left or distinct replacements cannot all be drawn, no replacement is made:
    /// the request is closed (`RequestClosed`) and becomes `Unservable` (refund) or settles what was fulfilled.
    function reassign(RequestId id) external;

    /// @notice Settles request `id` once `Settleable`: credits the nodes whose receipts earned their fee, the claims
    /// to compensate and the treasury, credits the rest back to the consumer, then calls the consumer's callback.
    /// Anyone may call it.
    /// @dev Charges the liveness penalty to the last round's absent nodes first, if any. Reverts with
    /// `RouterInsufficientCallbackGas` when the transaction's gas could not give the callback its full cap.
    function settle(RequestId id) external;

    /// @notice Credits the fee of request `id` back to its consumer once `Unservable`, less the compensation of claims
    /// on an input never published. Anyone may call it.
    /// @dev Charges the liveness penalty to the last round's absent nodes first (only for an input on chain).
    function refund(RequestId id) external;

    /// @notice Sets the minimum fee per assigned node of new requests. Admin only, within bounds.
    function setMinFeePerNode(uint256 minFeePerNode) external;

    /// @notice Sets the treasury's share, in bps, of the fee paid for each final receipt of new requests. Admin only,
    /// at most `MAX_PROTOCOL_FEE_BPS`.
    function setProtocolFeeBps(uint16 protocolFeeBps) external;

    /// @notice Sets the slash charged to a node missing a deadline of new requests. Admin only, at most
    /// `MAX_LIVENESS_PENALTY`.
    function setLivenessPenalty(uint96 livenessPenalty) external;

    /// @notice Sets how many times absent nodes of new requests may be replaced. Admin only, at most
    /// `MAX_REASSIGNMENTS_LIMIT`.
    function setMaxReassignments(uint8 maxReassignments) external;

    /// @notice Stops new requests; everything else goes on. Pauser only.
    function pause() external;

    /// @notice Undoes `pause`. Pauser only.
    function unpause() external;

    /// @notice The lifecycle state of request `id`.
    function state(RequestId id) external view returns (RequestState);

    /// @notice The stored request `id` (all zero when unknown).
    function getRequest(RequestId id) external view returns (Request memory);

    /// @notice The current slots of request `id`, `redundancy` of them (empty when unknown).
    function getAssignments(RequestId id) external view returns (Assignment[] memory);

    /// @notice The nonce `consumer`'s next request will use.
    function nonceOf(address consumer) external view returns (uint256);

    /// @notice The id of `consumer`'s request with `nonce`: `keccak256(abi.encode(router, chainid, consumer, nonce))`.
    function computeRequestId(address consumer, uint256 nonce) external view returns (RequestId);

    /// @notice The token fees are paid in (the stake token).
    function token() external view returns (IERC20);

    function minFeePerNode() external view returns (uint256);

    function protocolFeeBps() external view returns (uint16);

    function livenessPenalty() external view returns (uint96);

    function maxReassignments() external view returns (uint8);
}
