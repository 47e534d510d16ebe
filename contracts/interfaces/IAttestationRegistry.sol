// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BatchId} from "../types/BatchId.sol";
import {ModelId} from "../types/ModelId.sol";
import {IBoundedParameters} from "./IBoundedParameters.sol";
import {IModelObserver} from "./IModelObserver.sol";
import {INodeObserver} from "./INodeObserver.sol";

/// @title Attestation registry
/// @notice Inference receipts signed (EIP-712, domain "Verity" version "1") by the registered signer of the node
/// named in them, attested one by one or as the Merkle root of a batch. Each attestation opens a challenge window;
/// a receipt is final once its window has closed, unless a dispute on it is open or found it wrong.
/// @dev Windows: a window is open while `now < windowEnd` and closed from `now == windowEnd` on. At the boundary a
/// receipt is final and a dispute can no longer be opened.
///
/// Batch sequences start at 1: a node's first batch has `sequence == 1`, each next one exactly one more.
///
/// What is stored, to keep gas at the floor: a batch is one slot keyed by its id, `keccak256(abi.encode(node, root))`
/// (see `BatchId`): node, window end and count (the sequence, root and `dataHash` are only in the event); a single
/// receipt is one slot keyed by `keccak256(abi.encode(node, requestId))`, holding the top 200 bits of the receipt's
/// struct hash and its window end.
/// Dispute state is written only when a dispute is opened, keyed by the receipt's struct hash (`ReceiptDispute`).
///
/// Undecided disputes: a dispute that ends without a decision (no committee, no quorum, no arbitration) never upholds
/// its receipt. `expireDispute` makes it challengeable again (state `None`) and extends its window by the time it was
/// frozen under the dispute (from `openDispute` to `expireDispute`); every later check of the window (`openDispute`,
/// `isFinal`, `getReceipt`) uses the extended end.
///
/// Node and model status: a submission reads no other contract. This registry keeps its own copy of what it checks,
/// one slot per node (`NodeRecord`: signer, active flag, last batch sequence) and one per model (`ModelRecord`). The
/// node and model registries, once bound to it (`INodeRegistry.setNodeObserver`, `IModelRegistry.setModelObserver`,
/// both permanent), tell it of every change in the same transaction (`nodeChanged`, `modelChanged`), and it reads the
/// new status back from them: so a signer rotation, deregistration, jail, unjail, stake change reported by Staking,
/// model registration or deprecation is in force for the very next submission. A record not yet copied (`synced`
/// false, `ModelRecord.Unsynced`; e.g. a model registered before the binding) is read live from the registries on
/// use and copied then, if the registry is bound to this one; an unbound registry is always read live. Stake changes
/// reach the node registry through Staking's stake observer (admin-set to the node registry at deployment); the
/// copies are only as current as that wiring.
///
/// Known limits: the "at most one receipt per `(node, requestId)`" rule holds for single receipts only (a batch's
/// leaves are not visible on chain; verifiers check them). Batch ids are keyed by node, so a copy of a node's pending
/// root submitted by another node is another batch and never blocks the owner's `submitBatch`; a node can attest a
/// given root once.
/// A change of Staking's minimum stake reaches this registry as one push (Staking → node registry →
/// `minimumStakeChanged`), which bumps a parameters version kept in the slot every submission reads anyway; a node
/// record copied under an older version is stale and is read again from the node registry on its next submission. So
/// a node the new minimum puts below it can't attest even if nobody called `nodeChanged(node)` (the node registry's
/// sortition weight still waits for `syncWeight(node)`).
///
/// Which judge decides a receipt: every dispute path opens its dispute here (`openDispute`), and a receipt has at most
/// one open dispute. When a fraud judge is configured (`setFraudJudge`, the `FraudGame`), a receipt whose model that
/// judge can decide (`IFraudJudge.isFraudProvable`) is opened for dispute only by the fraud judge: a committee can't
/// take it first, hold it while it votes and uphold it (the trust-minimized game needs one honest challenger; the
/// committee an honest stake majority). Receipts of every other model are disputed by any holder of `DISPUTE_ROLE`, as
/// before. The fraud judge must hold `DISPUTE_ROLE` for as long as it is configured (checked when set; the role can't
/// be revoked or renounced from it), so receipts it decides can always be disputed.
interface IAttestationRegistry is INodeObserver, IModelObserver, IBoundedParameters {
    /// @notice What a node signs for one inference result (EIP-712 `InferenceReceipt`).
    /// @param requestId The request served (on-chain router request id, or a client-chosen id off chain).
    /// @param modelId The model that ran (its artifact hash).
    /// @param inputHash Canonical tensor hash of the input.
    /// @param outputHash Canonical tensor hash of the output.
    /// @param traceRoot Commitment to the intermediate results of an `EXACT` run; zero where no trace is kept.
    /// @param node The node's operator address (not its signer).
    /// @param issuedAt When the node issued the receipt (unix seconds, node clock).
    struct InferenceReceipt {
        bytes32 requestId;
        ModelId modelId;
        bytes32 inputHash;
        bytes32 outputHash;
        bytes32 traceRoot;
        address node;
        uint64 issuedAt;
    }

    /// @notice What a node signs for a batch of receipts (EIP-712 `ReceiptBatch`).
    /// @param node The node's operator address; every receipt in the batch names it.
    /// @param sequence The node's batch number: 1 for its first batch, then exactly one more each time.
    /// @param root The OpenZeppelin `StandardMerkleTree` root over the receipts' leaves (see `receiptLeaf`).
    /// @param count How many receipts the tree holds, at least 1.
    /// @param dataHash keccak256 of the batch file the node serves (receipts in leaf order, with their data).
    struct ReceiptBatch {
        address node;
        uint64 sequence;
        bytes32 root;
        uint32 count;
        bytes32 dataHash;
    }

    /// @notice A stored batch. One slot: `node` (20 bytes) + `windowEnd` (6) + `count` (4).
    /// @param node The node that signed it (zero when no such batch).
    /// @param windowEnd When its challenge window closes.
    /// @param count How many receipts its tree holds.
    struct Batch {
        address node;
        uint48 windowEnd;
        uint32 count;
    }

    /// @notice What this registry keeps of a node. One slot: `signer` (20 bytes) + `active` (1) + `synced` (1) +
    /// `lastSequence` (8) + `parametersVersion` (2).
    /// @param signer The node's current signer as last read from the node registry (zero: not registered).
    /// @param active Whether the node registry last reported it active (registered, not jailed, active stake at least
    /// the minimum).
    /// @param synced True once `signer` and `active` were copied from a node registry bound to this registry; while
    /// false, submissions read both live.
    /// @param lastSequence The sequence of the node's last batch (0 before its first); never reset.
    /// @param parametersVersion The parameters version `signer` and `active` were copied under: the record is used only
    /// while it equals `parametersVersion()`, else read again.
    struct NodeRecord {
        address signer;
        bool active;
        bool synced;
        uint64 lastSequence;
        uint16 parametersVersion;
    }

    /// @notice Settings every submission reads, in one slot: `challengeWindow` (6 bytes) + `parametersVersion` (2).
    /// @param challengeWindow The challenge window of attestations made now.
    /// @param parametersVersion Bumped on every change of Staking's minimum stake.
    struct Settings {
        uint48 challengeWindow;
        uint16 parametersVersion;
    }

    /// @notice What this registry keeps of a model: `Unsynced` (never copied: read live from the model registry on
    /// use), `Inactive` (unknown or deprecated), `Active`.
    enum ModelRecord {
        Unsynced,
        Inactive,
        Active
    }

    /// @notice Dispute state of a receipt, keyed by its struct hash.
    /// @dev `None`: no dispute decided it (never disputed, or every dispute on it expired undecided). `Disputed`: a
    /// dispute is open (not final). `Upheld`: a dispute found it right (final once the window has closed, and it can't
    /// be disputed again). `Rejected`: a dispute found it wrong (never final).
    enum ReceiptState {
        None,
        Disputed,
        Upheld,
        Rejected
    }

    /// @notice What is kept of a disputed receipt. One slot: `state` (1 byte) + `disputedAt` (6) + `windowEnd` (6).
    /// @param state Its dispute state.
    /// @param disputedAt When its last dispute was opened (zero: never disputed).
    /// @param windowEnd Its challenge window's end, extended by every dispute that expired undecided (zero: never
    /// disputed; the attested end applies).
    struct ReceiptDispute {
        ReceiptState state;
        uint48 disputedAt;
        uint48 windowEnd;
    }

    /// @notice A single receipt's attestation as seen through the full receipt.
    /// @param receiptHash The receipt's EIP-712 struct hash.
    /// @param windowEnd When its challenge window closes (extended by expired disputes); zero when this exact receipt
    /// was not attested singly.
    /// @param state Its dispute state.
    struct ReceiptStatus {
        bytes32 receiptHash;
        uint48 windowEnd;
        ReceiptState state;
    }

    error AttestationZeroAddress();
    error AttestationNodeNotRegistered(address node);
    error AttestationNodeNotActive(address node);
    error AttestationModelNotActive(ModelId modelId);
    error AttestationInvalidSignature(address node, address signer);
    error AttestationReceiptExists(address node, bytes32 requestId);
    error AttestationEmptyBatch(address node, uint64 sequence);
    error AttestationZeroRoot(address node, uint64 sequence);
    error AttestationBatchExists(BatchId id, address node);
    error AttestationUnexpectedSequence(address node, uint64 sequence, uint64 expected);
    error AttestationReceiptNotAttested(bytes32 receiptHash, BatchId batchId);
    error AttestationWindowClosed(bytes32 receiptHash, uint48 windowEnd, uint48 currentTime);
    error AttestationUnexpectedReceiptState(bytes32 receiptHash, ReceiptState current, ReceiptState expected);
    error AttestationRegistryNotBound(address registry, address observer);
    error AttestationOnlyNodeRegistry(address caller);
    /// @notice Only the fraud judge `judge` may open a dispute on receipt `receiptHash`: it decides model `model`.
    error AttestationDisputeNeedsFraudProof(bytes32 receiptHash, ModelId model, address judge);
    /// @notice `judge` can't be (or stop being) the fraud judge's holder of `DISPUTE_ROLE`: a configured fraud judge
    /// must hold the role (grant it before `setFraudJudge`; change the fraud judge before revoking the role).
    error AttestationFraudJudgeWithoutRole(address judge);
    /// @notice `judge` is not a contract that answers `IFraudJudge.isFraudProvable`.
    error AttestationFraudJudgeNotAJudge(address judge);

    /// @notice A single receipt was attested. Carries every signed field, so an indexer needs no calldata.
    event ReceiptSubmitted(
        bytes32 indexed receiptHash,
        address indexed node,
        bytes32 indexed requestId,
        ModelId modelId,
        bytes32 inputHash,
        bytes32 outputHash,
        bytes32 traceRoot,
        uint64 issuedAt,
        uint48 windowEnd
    );

    /// @notice A batch was attested. Its id is `keccak256(abi.encode(node, root))`.
    event BatchSubmitted(
        BatchId indexed id,
        address indexed node,
        uint64 sequence,
        bytes32 root,
        uint32 count,
        bytes32 dataHash,
        uint48 windowEnd
    );

    /// @notice The fraud judge changed from `previous` to `judge` (zero: none; every holder of `DISPUTE_ROLE` may open
    /// disputes on every receipt).
    event FraudJudgeSet(address indexed previous, address indexed judge);

    /// @notice A dispute on a receipt was opened (`batchId` zero: the receipt was attested singly).
    event ReceiptDisputed(bytes32 indexed receiptHash, BatchId indexed batchId, address indexed node, uint48 windowEnd);

    /// @notice The open dispute on a receipt was resolved: `wrong` true rejects the receipt for good.
    event ReceiptDisputeResolved(bytes32 indexed receiptHash, bool wrong);

    /// @notice The open dispute on a receipt ended undecided: it can be challenged again until `windowEnd` (its window
    /// extended by the time it was under the dispute).
    event ReceiptDisputeExpired(bytes32 indexed receiptHash, uint48 windowEnd);

    /// @notice This registry's copy of a node's signer and active status changed (or was made for the first time).
    event NodeRecordSynced(address indexed node, address signer, bool active);

    /// @notice Staking's minimum stake changed: every node record copied before is stale from now on.
    event NodeRecordsInvalidated(uint16 parametersVersion);

    /// @notice This registry's copy of a model's active status changed (or was made for the first time).
    event ModelRecordSynced(ModelId indexed model, bool active);

    /// @notice Attests one receipt. Anyone may relay it.
    /// @dev Reverts unless: the receipt's model is registered and active; its node is registered and active; the
    /// signature is by the node's current signer (65-byte low-s ECDSA with v in {27, 28}, or EIP-1271 for a contract
    /// signer); no receipt for the same `(node, requestId)` was attested singly before. Status and signer are as kept
    /// in this registry's records (see above).
    /// @param receipt The signed receipt.
    /// @param signature The signer's signature over the receipt's EIP-712 digest.
    /// @return receiptHash The receipt's struct hash.
    function submitReceipt(
        InferenceReceipt calldata receipt,
        bytes calldata signature
    ) external returns (bytes32 receiptHash);

    /// @notice Attests a batch of receipts by its Merkle root. Anyone may relay it.
    /// @dev Reverts unless: `count >= 1`; the root is not zero and was never attested by this node (another node's
    /// batch with the same root has another id and does not matter); `sequence` is exactly `nextSequence(node)`; the
    /// node is registered and active; the signature is by its current signer.
    /// @param batch The signed batch.
    /// @param signature The signer's signature over the batch's EIP-712 digest.
    /// @return id The batch id, `keccak256(abi.encode(batch.node, batch.root))`.
    function submitBatch(ReceiptBatch calldata batch, bytes calldata signature) external returns (BatchId id);

    /// @notice Copies `node`'s current signer and active status from the node registry. Anyone may call it; the node
    /// registry calls it after every change it knows of.
    /// @dev Reverts with `AttestationRegistryNotBound` unless the node registry's node observer is this registry (a
    /// copy is only kept where every later change will be reported). Emits `NodeRecordSynced` only when it changes.
    function nodeChanged(address node) external;

    /// @notice Copies `model`'s active status from the model registry. Anyone may call it; the model registry calls it
    /// after every registration and deprecation.
    /// @dev Reverts with `AttestationRegistryNotBound` unless the model registry's model observer is this registry.
    /// Emits `ModelRecordSynced` only when the copy changes.
    function modelChanged(ModelId model) external;

    /// @notice Opens a dispute on an attested receipt while its (possibly extended) window is open and no dispute
    /// decided or holds it. Only the dispute role; for a receipt whose model the fraud judge decides
    /// (`fraudJudgeOf(receipt.modelId)` not zero), only the fraud judge (`AttestationDisputeNeedsFraudProof`).
    /// @param receipt The receipt disputed.
    /// @param batchId The batch holding it, or zero for a receipt attested singly.
    /// @param proof Its Merkle proof in the batch (empty for a single receipt).
    /// @return receiptHash The receipt's struct hash.
    /// @return windowEnd The end of the window it was disputed in (as extended by earlier expired disputes).
    function openDispute(
        InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof
    ) external returns (bytes32 receiptHash, uint48 windowEnd);

    /// @notice Resolves the open dispute on a receipt. Only the dispute role.
    /// @param receiptHash The receipt's struct hash.
    /// @param wrong True when the receipt was found wrong (it is rejected and never final); false upholds it.
    function resolveDispute(bytes32 receiptHash, bool wrong) external;

    /// @notice Ends the open dispute on a receipt without a decision. Only the dispute role.
    /// @dev The receipt is neither upheld nor rejected: it becomes challengeable again (`None`), and its window end
    /// moves later by the time it was frozen under the dispute (`now - disputedAt`).
    /// @param receiptHash The receipt's struct hash.
    /// @return windowEnd Its new window end.
    function expireDispute(bytes32 receiptHash) external returns (uint48 windowEnd);

    /// @notice Sets the challenge window of attestations made from now on (open windows keep their end). Admin only.
    /// @param window Seconds, within [`MIN_CHALLENGE_WINDOW`, `MAX_CHALLENGE_WINDOW`].
    function setChallengeWindow(uint48 window) external;

    /// @notice Sets the fraud judge: the only address that may open disputes on receipts of the models it can decide
    /// (`IFraudJudge.isFraudProvable`). Zero: none (every holder of `DISPUTE_ROLE` may open disputes on every receipt).
    /// Admin only. Emits `FraudJudgeSet`.
    /// @dev Changeable, not set-once: the admin already controls who holds `DISPUTE_ROLE` (and so who opens and
    /// resolves disputes), so a set-once judge would protect nothing against the admin, while a changeable one lets it
    /// move to a corrected game (or to none, so committees decide again) if the game is found broken. A change
    /// reaches only disputes opened from then on: each open dispute stays with the contract that opened it, which
    /// alone resolves or expires it. A non-zero `judge` must be a contract that answers `isFraudProvable`
    /// (`AttestationFraudJudgeNotAJudge`) and must hold `DISPUTE_ROLE` (`AttestationFraudJudgeWithoutRole`); while it
    /// is the judge the role can't be revoked or renounced from it.
    /// @param judge The fraud judge (the `FraudGame`), or zero.
    function setFraudJudge(address judge) external;

    /// @notice The configured fraud judge (zero: none).
    function fraudJudge() external view returns (address);

    /// @notice The only address that may open a dispute on receipts of `model`: the fraud judge when one is configured
    /// and it can decide `model`; zero when any holder of `DISPUTE_ROLE` may (a committee, for instance).
    /// @param model The model id.
    /// @return judge The fraud judge deciding `model`'s receipts, or zero.
    function fraudJudgeOf(ModelId model) external view returns (address judge);

    /// @notice True when `receipt` is attested (singly if `batchId` is zero, else in that batch with `proof`), its
    /// window (as extended by expired disputes) has closed, and it is neither under an open dispute nor rejected.
    function isFinal(
        InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice Same as `isFinal(receipt, 0, [])`: for a receipt attested singly.
    function isReceiptFinal(InferenceReceipt calldata receipt) external view returns (bool);

    /// @notice True when `receipt` is attested: singly (`batchId` zero), or in batch `batchId` with a valid `proof`.
    /// @dev For a batch: the batch exists, names the receipt's node, `proof.length` is a depth the batch's
    /// `StandardMerkleTree` can have (between floor and ceil of log2 `count`), and the root the proof leads to, keyed
    /// by the node, is `batchId`.
    function verifyInclusion(
        InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof
    ) external view returns (bool);

    /// @notice The stored batch `id` (all zero when unknown).
    function getBatch(BatchId id) external view returns (Batch memory);

    /// @notice The single-receipt attestation of `receipt` and its dispute state.
    function getReceipt(InferenceReceipt calldata receipt) external view returns (ReceiptStatus memory);

    /// @notice The single receipt attested for `(node, requestId)`: the top 200 bits of its struct hash (low 56 bits
    /// zero) and its window end; both zero when none.
    function getReceiptByRequest(
        address node,
        bytes32 requestId
    ) external view returns (bytes32 receiptHashPrefix, uint48 windowEnd);

    /// @notice The dispute state of the receipt with struct hash `receiptHash`.
    function receiptState(bytes32 receiptHash) external view returns (ReceiptState);

    /// @notice The dispute record of the receipt with struct hash `receiptHash` (all zero when never disputed). A
    /// consumer that copied a receipt's window end must take the later of it and `windowEnd` here.
    function getReceiptDispute(bytes32 receiptHash) external view returns (ReceiptDispute memory);

    /// @notice The sequence `node`'s next batch must carry (1 for its first).
    function nextSequence(address node) external view returns (uint64);

    /// @notice This registry's copy of `node`'s signer, active status and last batch sequence.
    function getNodeRecord(address node) external view returns (NodeRecord memory);

    /// @notice This registry's copy of `model`'s active status.
    function getModelRecord(ModelId model) external view returns (ModelRecord);

    /// @notice The challenge window of attestations made now.
    function challengeWindow() external view returns (uint48);

    /// @notice How many times Staking's minimum stake has changed since deployment (mod 2^16).
    function parametersVersion() external view returns (uint16);

    /// @notice The EIP-712 struct hash of `receipt`.
    function hashReceipt(InferenceReceipt calldata receipt) external pure returns (bytes32);

    /// @notice The EIP-712 struct hash of `batch`.
    function hashBatch(ReceiptBatch calldata batch) external pure returns (bytes32);

    /// @notice The id of `node`'s batch with Merkle root `root`: `keccak256(abi.encode(node, root))`.
    function computeBatchId(address node, bytes32 root) external pure returns (BatchId);

    /// @notice The EIP-712 digest a signer signs for `receipt` (this chain, this registry).
    function receiptDigest(InferenceReceipt calldata receipt) external view returns (bytes32);

    /// @notice The EIP-712 digest a signer signs for `batch` (this chain, this registry).
    function batchDigest(ReceiptBatch calldata batch) external view returns (bytes32);

    /// @notice The Merkle leaf of `receipt`: `keccak256(bytes.concat(keccak256(abi.encode(hashReceipt(receipt)))))`.
    function receiptLeaf(InferenceReceipt calldata receipt) external pure returns (bytes32);

    /// @notice The EIP-712 domain separator (name "Verity", version "1", this chain, this registry).
    function domainSeparator() external view returns (bytes32);

    /// @notice The EIP-712 domain version, "1".
    function version() external pure returns (string memory);
}
