// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {BatchId} from "../types/BatchId.sol";
import {DisputeId} from "../types/DisputeId.sol";
import {IAttestationRegistry} from "./IAttestationRegistry.sol";
import {IBoundedParameters} from "./IBoundedParameters.sol";
import {IPullCredits} from "./IPullCredits.sol";

/// @title Dispute manager
/// @notice Challenges of attested receipts. A challenger posts a bond in the stake token and names a receipt (with its
/// Merkle proof) and the output hash its own replay produced. The amount the dispute can slash (its amount at risk) is
/// fixed then, from the node's slashable stake, and locked in `Staking` so it can't be withdrawn. A committee of
/// verifiers is drawn by stake-weighted sortition from the block hash of the block after the challenge, votes by
/// commit–reveal, and the majority by stake of revealed votes decides. Without quorum an arbitrator may decide within
/// a further period, else the dispute expires undecided: bonds and lock returned, and the receipt is challengeable
/// again with its window extended by the time it was under the dispute (an undecided dispute never upholds a
/// receipt). Every payout is credited and withdrawn with `claim` (see {IPullCredits}); the contract's token balance is
/// at least `totalBonds() + totalChallengerShares() + totalClaimable()`.
///
/// Amount at risk: `slashable stake × slashBps / 10,000` when the dispute opens, not reduced by other judgments'
/// locks (locks only block withdrawals, see `IStaking`). A node found wrong loses `min(amount at risk, what it has
/// left)`; concurrent judgments slash in the order they resolve.
///
/// Several challengers: while a dispute is `Committing` (committee drawn, no vote revealed yet), anyone may join it
/// with its own bond (`joinChallenge`, the same bond as the opening challenge) for its own beneficiary. At settlement
/// the challengers' pot (every bond plus the challenger reward when the node is wrong; every bond when it expired;
/// nothing when the node is right) is shared pro rata to bond; the opening beneficiary is credited at once, each other
/// calls `creditChallenger` (anyone may, for any beneficiary). So a first challenger who is the node's accomplice can't
/// shut an honest one out: it only takes its own share.
/// @dev Lifecycle (see `state`): `Drawing` (challenged; `drawCommittee` may run once the next block exists) →
/// `Committing` → `Revealing` → `Resolvable` (quorum met and no tie) or `Arbitration` (quorum missed, tie, or no
/// committee drawn within the commit period after the challenge) → `Expired` (arbitration period over) → `Resolved`.
///
/// Randomness: the committee seed is `blockhash(drawBlock)` with `drawBlock` the block after the challenge, fixed
/// before anyone can know it. A challenger can't pick the committee by simulating its own challenge (which a
/// seed from `block.prevrandao` at challenge time would allow: a wrapper contract reverts unless the committee
/// suits it). Members are drawn, and their votes weighed, with the verifier weights and signers of the end of the
/// challenge block (`NodeRegistry.drawVerifierAt`, `verifierWeightAt`, `signerAt`), fixed before the seed exists: stake
/// moved once the seed is public changes nothing. What remains is the builder of `drawBlock`, who can grind its hash
/// (see docs/disputes.md). The price is a second transaction (`drawCommittee`, anyone). Past 256 blocks the hash is
/// gone and `drawCommittee` moves `drawBlock` to the next block instead (a new seed, the same weights).
///
/// Windows: a phase with end `e` is open while `now < e`. The receipt's challenge window is checked by the
/// attestation registry: open while `now < windowEnd`; at `windowEnd` a challenge reverts.
interface IDisputeManager is IPullCredits, IBoundedParameters {
    /// @notice Where a dispute is in its lifecycle. Computed from stored timepoints and tallies, never stored.
    enum DisputeState {
        None,
        Drawing,
        Committing,
        Revealing,
        Resolvable,
        Arbitration,
        Expired,
        Resolved
    }

    /// @notice A committee member's verdict on the disputed receipt.
    enum Verdict {
        NodeRight,
        NodeWrong
    }

    /// @notice How a dispute ended. `None` while open.
    enum Outcome {
        None,
        NodeWrong,
        NodeRight,
        Expired
    }

    /// @notice Governance parameters; every dispute keeps the values it opened with. Two slots: slot 0 holds
    /// `bondFloor` (16 bytes) + five bps fields (10) + `committeeSize` (1) + `quorum` (1) + `commitPeriod` (4); slot 1
    /// `revealPeriod` (4) + `arbitrationPeriod` (4).
    /// @param bondFloor Minimum bond in stake-token units (stops griefing by many tiny challenges), at least 1.
    /// @param bondBps Bond as a share of the stake at risk: bond = max(bondFloor, stakeAtRisk × bondBps / 10,000).
    /// @param slashBps Share of the node's slashable stake at challenge time that is locked and slashed if it is wrong.
    /// @param challengerRewardBps Share of the slashed amount shared by the challengers' beneficiaries, at most 5,000
    /// (so a node challenging itself through an accomplice still loses at least half of what is slashed).
    /// @param voterRewardBps Share of the slashed amount (node wrong) or of the bond (node right) shared by the
    /// majority voters pro rata to their weight.
    /// @param nonRevealPenaltyBps Share of its weight a committee member who doesn't reveal loses (slashed).
    /// @param committeeSize Members drawn per dispute.
    /// @param quorum Minimum members who must reveal for the vote to decide.
    /// @param commitPeriod Seconds for commitments, from the draw; also the deadline for the draw itself.
    /// @param revealPeriod Seconds for reveals, after the commit period.
    /// @param arbitrationPeriod Seconds the arbitrator has after the reveal period when the vote did not decide.
    struct Parameters {
        uint128 bondFloor;
        uint16 bondBps;
        uint16 slashBps;
        uint16 challengerRewardBps;
        uint16 voterRewardBps;
        uint16 nonRevealPenaltyBps;
        uint8 committeeSize;
        uint8 quorum;
        uint32 commitPeriod;
        uint32 revealPeriod;
        uint32 arbitrationPeriod;
    }

    /// @notice A dispute. Slots: `node` + `challengedAt` + `drawBlock`; `challenger` + `commitEnd` + `revealEnd`;
    /// `beneficiary` + `revealedCount` + `outcome` + `challengeBlock`; `receiptHash`; `bond` + `amountAtRisk`;
    /// `challengeBonds` + `challengerPot`; `wrongWeight` + `rightWeight`; then the parameters (two slots).
    /// @param node The node whose receipt is disputed (its operator address).
    /// @param challengedAt When the challenge was made (zero: no such dispute).
    /// @param drawBlock The block whose hash seeds the committee draw.
    /// @param challenger Who opened the dispute and posted the first bond.
    /// @param commitEnd End of the commit period (zero until the committee is drawn).
    /// @param revealEnd End of the reveal period (zero until the committee is drawn).
    /// @param beneficiary The opening challenger's beneficiary (credited its share of the challengers' pot).
    /// @param revealedCount How many members revealed.
    /// @param outcome How it ended (`None` while open).
    /// @param challengeBlock The block of the challenge: the committee is drawn, and votes weighed, with the verifier
    /// weights (and signers) of the end of this block, fixed before the seed (a later block's hash) exists.
    /// @param receiptHash The disputed receipt's EIP-712 struct hash.
    /// @param bond The opening challenger's bond (zero for a router dispute).
    /// @param amountAtRisk The most this dispute can slash, fixed when it opened (and locked until it ends).
    /// @param challengeBonds Every challenger's bond (opening and joined) whose share is not credited yet.
    /// @param challengerPot After settlement: what remains to share among the beneficiaries of `challengeBonds`.
    /// @param wrongWeight Revealed weight for `NodeWrong`.
    /// @param rightWeight Revealed weight for `NodeRight`.
    /// @param params The parameters it opened with.
    struct Dispute {
        address node;
        uint48 challengedAt;
        uint48 drawBlock;
        address challenger;
        uint48 commitEnd;
        uint48 revealEnd;
        address beneficiary;
        uint8 revealedCount;
        Outcome outcome;
        uint48 challengeBlock;
        bytes32 receiptHash;
        uint128 bond;
        uint128 amountAtRisk;
        uint128 challengeBonds;
        uint128 challengerPot;
        uint128 wrongWeight;
        uint128 rightWeight;
        Parameters params;
    }

    /// @notice A committee member's vote. Two slots: `commitment`; `weight` + `revealed` + `verdict`.
    /// @param commitment `commitmentOf(id, voter, verdict, outputHash, salt)` (zero until committed).
    /// @param weight The member's active stake when drawn (nonzero for every member).
    /// @param revealed True once revealed.
    /// @param verdict The revealed verdict.
    struct Vote {
        bytes32 commitment;
        uint128 weight;
        bool revealed;
        Verdict verdict;
    }

    error DisputeZeroAddress();
    error DisputeUnexpectedState(DisputeId id, DisputeState current, bytes32 expectedStates);
    error DisputeSameOutput(bytes32 receiptHash, bytes32 outputHash);
    error DisputeBondAboveMaximum(uint256 bond, uint256 maxBond);
    error DisputeTransferAmountMismatch(uint256 expected, uint256 received);
    error DisputeDrawTooEarly(DisputeId id, uint256 drawBlock, uint256 currentBlock);
    error DisputeCommitteeUnavailable(DisputeId id, uint256 drawn, uint256 size);
    error DisputeNotMember(DisputeId id, address account);
    error DisputeZeroCommitment(DisputeId id, address voter);
    error DisputeAlreadyCommitted(DisputeId id, address voter);
    error DisputeNotCommitted(DisputeId id, address voter);
    error DisputeAlreadyRevealed(DisputeId id, address voter);
    error DisputeCommitmentMismatch(DisputeId id, address voter, bytes32 commitment, bytes32 revealed);
    error DisputeNoChallengerShare(DisputeId id, address beneficiary);
    error DisputeCommitteeMemberJoining(DisputeId id, address account);

    /// @notice A receipt was challenged; the committee will be drawn from the hash of block `drawBlock`.
    event DisputeOpened(
        DisputeId indexed id,
        bytes32 indexed receiptHash,
        address indexed node,
        BatchId batchId,
        address challenger,
        address beneficiary,
        bytes32 outputHash,
        uint256 bond,
        uint256 amountAtRisk,
        uint256 drawBlock
    );

    /// @notice `challenger` joined the challenge `id` with `bond`, for `beneficiary` (whose bond in `id` is now
    /// `beneficiaryBond`).
    event ChallengeJoined(
        DisputeId indexed id,
        address indexed challenger,
        address indexed beneficiary,
        uint256 bond,
        uint256 beneficiaryBond
    );

    /// @notice The draw block's hash was no longer available; the draw moved to `drawBlock`.
    event CommitteeDrawRescheduled(DisputeId indexed id, uint256 drawBlock);

    /// @notice `member` was drawn onto the committee of `id` with vote weight `weight`.
    event CommitteeMemberDrawn(DisputeId indexed id, address indexed member, uint256 weight);

    /// @notice The committee of `id` is complete; commitments are open until `commitEnd`, reveals until `revealEnd`.
    event CommitteeDrawn(DisputeId indexed id, uint48 commitEnd, uint48 revealEnd);

    event VoteCommitted(DisputeId indexed id, address indexed voter, bytes32 commitment);

    event VoteRevealed(
        DisputeId indexed id,
        address indexed voter,
        Verdict verdict,
        bytes32 outputHash,
        uint256 weight
    );

    /// @notice The arbitrator decided `id` after the vote failed to.
    event DisputeArbitrated(DisputeId indexed id, address indexed arbitrator, bool nodeWrong);

    /// @notice `id` was settled. `slashed` is what was taken from the node (node wrong only); `toTreasury` the part of
    /// it (plus rounding dust) that went to the treasury from this contract and from `Staking`.
    event DisputeResolved(
        DisputeId indexed id,
        Outcome outcome,
        uint256 slashed,
        uint256 challengerReward,
        uint256 voterRewards,
        uint256 toTreasury
    );

    /// @notice `amount` was credited to `account` (claim it with `claim`).
    event RewardCredited(DisputeId indexed id, address indexed account, uint256 amount);

    /// @notice A committee member of `id` who did not reveal lost `slashed` of its stake.
    event NonRevealPenalized(DisputeId indexed id, address indexed member, uint256 slashed);

    event ParametersSet(Parameters params);

    /// @notice Challenges an attested receipt while its window is open, posting the bond from the caller.
    /// @dev The caller must have approved the bond: max(bondFloor, amountAtRisk × bondBps / 10,000), where
    /// `amountAtRisk` = the node's slashable stake × slashBps / 10,000 (other open judgments don't reduce it). The
    /// attestation registry reverts when the receipt is not attested (`AttestationReceiptNotAttested`), the window has
    /// closed (`AttestationWindowClosed`, `now >= windowEnd`), or it was disputed before
    /// (`AttestationUnexpectedReceiptState`; a receipt whose dispute is open is joined with `joinChallenge` instead).
    /// Reverts while paused.
    /// @param receipt The disputed receipt.
    /// @param batchId Its batch (zero for a receipt attested singly).
    /// @param proof Its Merkle proof in the batch (empty for a single receipt).
    /// @param outputHash The output hash the challenger's replay produced (must differ from the receipt's).
    /// @param beneficiary Who is credited the refund and reward; not zero.
    /// @param maxBond The most the caller accepts to post (guards against a parameter change in flight).
    /// @return id The new dispute.
    function challenge(
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof,
        bytes32 outputHash,
        address beneficiary,
        uint256 maxBond
    ) external returns (DisputeId id);

    /// @notice Joins the open challenge `id` with the caller's own bond, for `beneficiary`, in state `Committing`
    /// (committee drawn, before any vote is revealed).
    /// @dev The bond is the dispute's: max(bondFloor, amountAtRisk × bondBps / 10,000) with the parameters it opened
    /// with. A beneficiary may join more than once; its share grows with its bond. Reverts for a zero beneficiary, a
    /// caller or beneficiary on the committee, a bond above `maxBond`, or while paused.
    /// @param id The dispute.
    /// @param beneficiary Who is credited this bond's share of the challengers' pot; not zero.
    /// @param maxBond The most the caller accepts to post.
    /// @return bond The bond posted.
    function joinChallenge(DisputeId id, address beneficiary, uint256 maxBond) external returns (uint256 bond);

    /// @notice Credits `beneficiary`'s share of the challengers' pot of the settled dispute `id` (anyone may call it).
    /// @dev Share = pot × its bond / bonds not yet credited, rounding down; the last one takes what remains, so the
    /// shares add up to the pot exactly. Reverts with `DisputeNoChallengerShare` when it has no uncredited bond in `id`
    /// or the node was found right (its bonds were forfeited).
    /// @return amount What was credited (claim it with `claim`).
    function creditChallenger(DisputeId id, address beneficiary) external returns (uint256 amount);

    /// @notice Draws the committee of `id` (anyone, once `block.number > drawBlock`, in state `Drawing`).
    /// @dev Stake-weighted sortition via `INodeRegistry.drawVerifier`, at most `committeeSize × 8` draws; skips the
    /// node, the challenger, the beneficiary, members already drawn, and any verifier whose operator or signer is the
    /// node's signer, the challenger or the beneficiary. Reverts with `DisputeCommitteeUnavailable` when too few are
    /// eligible. When the draw block's hash is gone (older than 256 blocks), moves the draw to the next block.
    function drawCommittee(DisputeId id) external;

    /// @notice Commits the caller's vote on `id` in state `Committing`; only committee members, once.
    /// @param commitment `commitmentOf(id, caller, verdict, outputHash, salt)`, not zero.
    function commit(DisputeId id, bytes32 commitment) external;

    /// @notice Reveals the caller's committed vote on `id` in state `Revealing`.
    /// @param verdict Whether the receipt was right.
    /// @param outputHash The output hash of the member's replay.
    /// @param salt The secret salt of the commitment.
    function reveal(DisputeId id, Verdict verdict, bytes32 outputHash, bytes32 salt) external;

    /// @notice Settles `id` (anyone) in state `Resolvable` (by the vote) or `Expired` (bonds and lock returned).
    /// @dev Every path unlocks exactly the dispute's own lock. Node wrong: the node is slashed `min(amountAtRisk, what
    /// it has left)`, jailed, the receipt rejected; the challengers share their bonds plus `challengerRewardBps` of the
    /// slash, majority voters `voterRewardBps` of it, the rest goes to the treasury. Node right: the receipt is upheld;
    /// majority voters are credited `voterRewardBps` of the bonds and the node the rest. Expired: the challengers get
    /// their bonds back, the receipt is not upheld but challengeable again with its window extended by the time it was
    /// disputed, and the node's withdrawals are held until that extended window closes. Every path: members who did
    /// not reveal lose `nonRevealPenaltyBps` of their weight.
    function resolve(DisputeId id) external;

    /// @notice Decides `id` in state `Arbitration`. Only `ARBITRATOR_ROLE`. Settles as `resolve` would with
    /// this verdict.
    function arbitrate(DisputeId id, bool nodeWrong) external;

    /// @notice Sets the parameters of disputes opened from now on. Admin only, each within its bounds.
    function setParameters(Parameters calldata params) external;

    /// @notice Stops new challenges; open disputes go on to resolution and claims stay open. Pauser only.
    function pause() external;

    /// @notice Undoes `pause`. Pauser only.
    function unpause() external;

    /// @notice The lifecycle state of `id`.
    function state(DisputeId id) external view returns (DisputeState);

    /// @notice The stored dispute `id` (all zero when unknown).
    function getDispute(DisputeId id) external view returns (Dispute memory);

    /// @notice The committee of `id`, in draw order (empty until drawn).
    function committeeOf(DisputeId id) external view returns (address[] memory);

    /// @notice `member`'s vote on `id` (weight zero: not a member).
    function getVote(DisputeId id, address member) external view returns (Vote memory);

    /// @notice The latest dispute opened on the receipt with struct hash `receiptHash` (zero when none).
    function disputeOfReceipt(bytes32 receiptHash) external view returns (DisputeId);

    /// @notice The commitment a voter submits: `keccak256(abi.encode(id, voter, verdict, outputHash, salt))`.
    function commitmentOf(
        DisputeId id,
        address voter,
        Verdict verdict,
        bytes32 outputHash,
        bytes32 salt
    ) external pure returns (bytes32);

    /// @notice The bond a challenge of a receipt by `node` would cost now, and the amount it would put at risk.
    function previewBond(address node) external view returns (uint256 bond, uint256 amountAtRisk);

    /// @notice The bond `joinChallenge(id, …)` takes: the dispute's own, from its amount at risk and the parameters it
    /// opened with (`max(bondFloor, amountAtRisk × bondBps / 10,000)`), also for a router dispute opened without one.
    /// @param id The dispute; an unknown id gives zero.
    /// @return The bond a join posts.
    function joinBondOf(DisputeId id) external view returns (uint256);

    /// @notice The bond `beneficiary` holds in dispute `id` whose share is not credited yet.
    function challengeBondOf(DisputeId id, address beneficiary) external view returns (uint256);

    /// @notice The parameters of disputes opened now.
    function getParameters() external view returns (Parameters memory);

    /// @notice Bonds held for open disputes.
    function totalBonds() external view returns (uint256);

    /// @notice Challengers' shares of settled disputes not yet credited (see `creditChallenger`).
    function totalChallengerShares() external view returns (uint256);

    /// @notice How many disputes were opened (the last id).
    function disputeCount() external view returns (uint256);
}
