// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IAttestationRegistry} from "../interfaces/IAttestationRegistry.sol";
import {IDisputeManager} from "../interfaces/IDisputeManager.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IRouterDisputes} from "../interfaces/IRouterDisputes.sol";
import {IStaking} from "../interfaces/IStaking.sol";
import {BatchId} from "../types/BatchId.sol";
import {DisputeId} from "../types/DisputeId.sol";
import {JudgmentBonds} from "../libraries/JudgmentBonds.sol";
import {TokenTransfers} from "../libraries/TokenTransfers.sol";
import {PullCredits} from "../utils/PullCredits.sol";
import {Clock} from "../utils/Clock.sol";
import {BoundedParameters} from "../libraries/BoundedParameters.sol";
import {BasisPoints} from "../libraries/BasisPoints.sol";
import {Slashing} from "../libraries/Slashing.sol";

/// @title Dispute manager
/// @notice Bonded challenges of attested receipts, decided by a stake-weighted commit–reveal committee.
/// @dev Needs `DISPUTE_ROLE` on `Staking` (lock, unlock, slash, hold), on `NodeRegistry` (jail) and on
/// `AttestationRegistry` (open, resolve and expire receipt disputes). Invariant: `token.balanceOf(this) >=
/// _totalBonds + _totalChallengerShares + totalClaimable()`; every settlement releases exactly the dispute's own lock
/// and moves its bonds into credits or challengers' shares exactly once; each share is credited once.
contract DisputeManager is
    IDisputeManager,
    IRouterDisputes,
    AccessControl,
    Pausable,
    ReentrancyGuard,
    PullCredits,
    Clock
{
    using SafeERC20 for IERC20;

    bytes32 public constant ARBITRATOR_ROLE = keccak256("ARBITRATOR_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Held by the `InferenceRouter`: opens disputes without a bond when redundant nodes disagree.
    bytes32 public constant ROUTER_ROLE = keccak256("ROUTER_ROLE");

    uint256 public constant MAX_COMMITTEE_SIZE = 21;
    /// @notice Draws attempted per committee seat before giving up.
    uint256 public constant DRAW_ATTEMPTS_PER_SEAT = 8;
    uint256 public constant MAX_BOND_FLOOR = 1e30;
    uint256 public constant MAX_NON_REVEAL_PENALTY_BPS = 1_000;
    /// @notice At most half of a slash rewards the challengers: a node challenging itself still loses the rest.
    uint256 public constant MAX_CHALLENGER_REWARD_BPS = 5_000;
    uint256 public constant MIN_PERIOD = 1 hours;
    uint256 public constant MAX_PERIOD = 30 days;

    IStaking private immutable _staking;
    INodeRegistry private immutable _nodes;
    IAttestationRegistry private immutable _attestation;
    IERC20 private immutable _token;

    Parameters private _params;
    uint256 private _disputeCount;
    uint256 private _totalBonds;
    uint256 private _totalChallengerShares;
    mapping(DisputeId id => Dispute) private _disputes;
    mapping(DisputeId id => address[]) private _committees;
    mapping(DisputeId id => mapping(address member => Vote)) private _votes;
    mapping(bytes32 receiptHash => DisputeId) private _disputeOfReceipt;
    mapping(DisputeId id => mapping(address beneficiary => uint256 bond)) private _challengeBondOf;

    constructor(
        IStaking staking,
        INodeRegistry nodes,
        IAttestationRegistry attestation,
        address admin,
        Parameters memory params
    ) {
        if (
            address(staking) == address(0) ||
            address(nodes) == address(0) ||
            address(attestation) == address(0) ||
            admin == address(0)
        ) revert DisputeZeroAddress();
        _staking = staking;
        _nodes = nodes;
        _attestation = attestation;
        _token = staking.token();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setParameters(params);
    }

    // ------------------------------------------------------------------------------------------------- challenges

    /// @inheritdoc IDisputeManager
    function challenge(
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof,
        bytes32 outputHash,
        address beneficiary,
        uint256 maxBond
    ) external whenNotPaused nonReentrant returns (DisputeId id) {
        return _challenge(msg.sender, receipt, batchId, proof, outputHash, beneficiary, maxBond);
    }

    /// @inheritdoc IRouterDisputes
    /// @dev Runs like a challenge with no bond: the router is the challenger, the staking treasury the beneficiary
    /// (credited the challenger's reward when the node is wrong); when the node is right there is no bond to reward the
    /// voters from. Not stopped by `pause`: a paused manager must not block the router's fulfilments.
    function openRouterDispute(
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof,
        bytes32 conflictingOutputHash
    ) external onlyRole(ROUTER_ROLE) nonReentrant {
        (bytes32 receiptHash, ) = _attestation.openDispute(receipt, batchId, proof);
        DisputeId id = _open(msg.sender, receipt.node, _staking.treasury(), receiptHash, 0, false);
        _emitOpened(id, batchId, conflictingOutputHash);
    }

    /// @inheritdoc IDisputeManager
    function joinChallenge(
        DisputeId id,
        address beneficiary,
        uint256 maxBond
    ) external whenNotPaused nonReentrant returns (uint256 bond) {
        return _join(msg.sender, id, beneficiary, maxBond);
    }

    /// @inheritdoc IDisputeManager
    function creditChallenger(DisputeId id, address beneficiary) external nonReentrant returns (uint256 amount) {
        _checkState(id, DisputeState.Resolved);
        amount = _creditChallenger(id, beneficiary);
    }

    /// @inheritdoc IDisputeManager
    function drawCommittee(DisputeId id) external {
        _checkState(id, DisputeState.Drawing);
        Dispute storage d = _disputes[id];
        uint256 drawBlock = d.drawBlock;
        if (block.number <= drawBlock) revert DisputeDrawTooEarly(id, drawBlock, block.number);
        bytes32 entropy = blockhash(drawBlock);
        if (entropy == bytes32(0)) {
            // Older than 256 blocks: a fresh hash no one knows yet replaces it.
            uint48 next = SafeCast.toUint48(block.number + 1);
            d.drawBlock = next;
            emit CommitteeDrawRescheduled(id, next);
            return;
        }
        _draw(id, d, entropy);
        uint48 commitEnd = _clock() + d.params.commitPeriod;
        uint48 revealEnd = commitEnd + d.params.revealPeriod;
        d.commitEnd = commitEnd;
        d.revealEnd = revealEnd;
        emit CommitteeDrawn(id, commitEnd, revealEnd);
    }

    // ------------------------------------------------------------------------------------------------------ votes

    /// @inheritdoc IDisputeManager
    function commit(DisputeId id, bytes32 commitment) external {
        _commit(msg.sender, id, commitment);
    }

    /// @inheritdoc IDisputeManager
    function reveal(DisputeId id, Verdict verdict, bytes32 outputHash, bytes32 salt) external {
        _reveal(msg.sender, id, verdict, outputHash, salt);
    }

    // ------------------------------------------------------------------------------------------------- settlement

    /// @inheritdoc IDisputeManager
    function resolve(DisputeId id) external nonReentrant {
        DisputeState current = state(id);
        if (current == DisputeState.Resolvable) {
            Dispute storage d = _disputes[id];
            _settle(id, d.wrongWeight > d.rightWeight);
        } else if (current == DisputeState.Expired) {
            _expire(id);
        } else {
            revert DisputeUnexpectedState(
                id,
                current,
                _encodeState(DisputeState.Resolvable) | _encodeState(DisputeState.Expired)
            );
        }
    }

    /// @inheritdoc IDisputeManager
    function arbitrate(DisputeId id, bool nodeWrong) external onlyRole(ARBITRATOR_ROLE) nonReentrant {
        _checkState(id, DisputeState.Arbitration);
        emit DisputeArbitrated(id, msg.sender, nodeWrong);
        _settle(id, nodeWrong);
    }

    // ------------------------------------------------------------------------------------------------- governance

    /// @inheritdoc IDisputeManager
    function setParameters(Parameters calldata params) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setParameters(params);
    }

    /// @inheritdoc IDisputeManager
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc IDisputeManager
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------------------------------------------------ views

    /// @inheritdoc IDisputeManager
    function getDispute(DisputeId id) external view returns (Dispute memory) {
        return _disputes[id];
    }

    /// @inheritdoc IDisputeManager
    function committeeOf(DisputeId id) external view returns (address[] memory) {
        return _committees[id];
    }

    /// @inheritdoc IDisputeManager
    function getVote(DisputeId id, address member) external view returns (Vote memory) {
        return _votes[id][member];
    }

    /// @inheritdoc IDisputeManager
    function disputeOfReceipt(bytes32 receiptHash) external view returns (DisputeId) {
        return _disputeOfReceipt[receiptHash];
    }

    /// @inheritdoc IDisputeManager
    function commitmentOf(
        DisputeId id,
        address voter,
        Verdict verdict,
        bytes32 outputHash,
        bytes32 salt
    ) external pure returns (bytes32) {
        return _commitmentOf(id, voter, verdict, outputHash, salt);
    }

    /// @inheritdoc IDisputeManager
    function previewBond(address node) external view returns (uint256 bond, uint256 amountAtRisk) {
        Parameters memory p = _params;
        amountAtRisk = _amountAtRisk(p, node);
        bond = _bondFor(p, amountAtRisk);
    }

    /// @inheritdoc IDisputeManager
    function joinBondOf(DisputeId id) external view returns (uint256) {
        Dispute storage d = _disputes[id];
        return _bondFor(d.params, d.amountAtRisk);
    }

    /// @inheritdoc IDisputeManager
    function challengeBondOf(DisputeId id, address beneficiary) external view returns (uint256) {
        return _challengeBondOf[id][beneficiary];
    }

    /// @inheritdoc IDisputeManager
    function getParameters() external view returns (Parameters memory) {
        return _params;
    }

    /// @inheritdoc IDisputeManager
    function totalBonds() external view returns (uint256) {
        return _totalBonds;
    }

    /// @inheritdoc IDisputeManager
    function totalChallengerShares() external view returns (uint256) {
        return _totalChallengerShares;
    }

    /// @inheritdoc IDisputeManager
    function disputeCount() external view returns (uint256) {
        return _disputeCount;
    }

    /// @inheritdoc IDisputeManager
    function state(DisputeId id) public view returns (DisputeState) {
        Dispute storage d = _disputes[id];
        if (d.challengedAt == 0) return DisputeState.None;
        if (d.outcome != Outcome.None) return DisputeState.Resolved;
        uint48 currentTime = _clock();
        if (d.commitEnd == 0) {
            // No committee by the draw deadline (e.g. too few eligible verifiers): the arbitrator decides, as when a
            // vote misses quorum, so blocking the draw can't make a dispute expire undecided.
            uint48 drawDeadline = d.challengedAt + d.params.commitPeriod;
            if (currentTime < drawDeadline) return DisputeState.Drawing;
            if (currentTime < drawDeadline + d.params.arbitrationPeriod) return DisputeState.Arbitration;
            return DisputeState.Expired;
        }
        if (currentTime < d.commitEnd) return DisputeState.Committing;
        if (currentTime < d.revealEnd) return DisputeState.Revealing;
        if (d.revealedCount >= d.params.quorum && d.wrongWeight != d.rightWeight) return DisputeState.Resolvable;
        if (currentTime < d.revealEnd + d.params.arbitrationPeriod) return DisputeState.Arbitration;
        return DisputeState.Expired;
    }

    // ------------------------------------------------------------------------------------------------- internals

    function _challenge(
        address challenger,
        IAttestationRegistry.InferenceReceipt calldata receipt,
        BatchId batchId,
        bytes32[] calldata proof,
        bytes32 outputHash,
        address beneficiary,
        uint256 maxBond
    ) internal returns (DisputeId id) {
        if (beneficiary == address(0)) revert DisputeZeroAddress();
        // The registry checks inclusion, the window (`now < windowEnd`) and that the receipt was never disputed.
        (bytes32 receiptHash, ) = _attestation.openDispute(receipt, batchId, proof);
        if (outputHash == receipt.outputHash) revert DisputeSameOutput(receiptHash, outputHash);
        id = _open(challenger, receipt.node, beneficiary, receiptHash, maxBond, true);
        _emitOpened(id, batchId, outputHash);
        _pullBond(challenger, _disputes[id].bond);
    }

    function _emitOpened(DisputeId id, BatchId batchId, bytes32 outputHash) internal {
        Dispute storage d = _disputes[id];
        emit DisputeOpened(
            id,
            d.receiptHash,
            d.node,
            batchId,
            d.challenger,
            d.beneficiary,
            outputHash,
            d.bond,
            d.amountAtRisk,
            d.drawBlock
        );
    }

    function _open(
        address challenger,
        address node,
        address beneficiary,
        bytes32 receiptHash,
        uint256 maxBond,
        bool bonded
    ) internal returns (DisputeId id) {
        Parameters memory p = _params;
        // The snapshot: later stake changes and other judgments' locks don't move the most this dispute can slash.
        uint256 atRisk = _amountAtRisk(p, node);
        uint256 bond = bonded ? _bondFor(p, atRisk) : 0;
        if (bond > maxBond) revert DisputeBondAboveMaximum(bond, maxBond);
        // Only blocks withdrawals; never capped by what other judgments locked.
        _staking.lock(node, atRisk);

        id = DisputeId.wrap(++_disputeCount);
        Dispute storage d = _disputes[id];
        d.node = node;
        d.challengedAt = _clock();
        d.challengeBlock = SafeCast.toUint48(block.number);
        d.drawBlock = SafeCast.toUint48(block.number + 1);
        d.challenger = challenger;
        d.beneficiary = beneficiary;
        d.receiptHash = receiptHash;
        d.bond = SafeCast.toUint128(bond);
        d.amountAtRisk = SafeCast.toUint128(atRisk);
        d.challengeBonds = SafeCast.toUint128(bond);
        d.params = p;
        _disputeOfReceipt[receiptHash] = id;
        if (bond != 0) _challengeBondOf[id][beneficiary] = bond;
        _totalBonds += bond;
    }

    function _join(
        address challenger,
        DisputeId id,
        address beneficiary,
        uint256 maxBond
    ) internal returns (uint256 bond) {
        if (beneficiary == address(0)) revert DisputeZeroAddress();
        // Only once the committee is drawn: a join before the draw could put a party on its own jury, and
        // excluding joiners from the draw would let anyone who knows the seed strike a verifier off it.
        _checkState(id, DisputeState.Committing);
        // A juror can't also be a party: it would vote on its own bond.
        if (_votes[id][challenger].weight != 0) revert DisputeCommitteeMemberJoining(id, challenger);
        if (_votes[id][beneficiary].weight != 0) revert DisputeCommitteeMemberJoining(id, beneficiary);
        Dispute storage d = _disputes[id];
        bond = _bondFor(d.params, d.amountAtRisk);
        if (bond > maxBond) revert DisputeBondAboveMaximum(bond, maxBond);
        uint256 beneficiaryBond = _challengeBondOf[id][beneficiary] + bond;
        _challengeBondOf[id][beneficiary] = beneficiaryBond;
        d.challengeBonds = SafeCast.toUint128(uint256(d.challengeBonds) + bond);
        _totalBonds += bond;
        emit ChallengeJoined(id, challenger, beneficiary, bond, beneficiaryBond);
        _pullBond(challenger, bond);
    }

    function _pullBond(address challenger, uint256 bond) internal {
        uint256 received = TokenTransfers.pullMeasured(_token, challenger, bond);
        if (received != bond) revert DisputeTransferAmountMismatch(bond, received);
    }

    /// @dev Membership and vote weights are a function of the seed and of the state at the end of the challenge block
    /// only (weights, signers): nothing done once the seed is known can add, remove or reweigh a member.
    function _draw(DisputeId id, Dispute storage d, bytes32 entropy) internal {
        uint256 size = d.params.committeeSize;
        uint48 challengeBlock = d.challengeBlock;
        if (_nodes.totalVerifierWeightAt(challengeBlock) == 0) revert DisputeCommitteeUnavailable(id, 0, size);
        address[] storage committee = _committees[id];
        address nodeSigner = _nodes.signerAt(d.node, challengeBlock);
        uint256 maxAttempts = size * DRAW_ATTEMPTS_PER_SEAT;
        for (uint256 attempt = 0; attempt < maxAttempts && committee.length < size; ++attempt) {
            address member = _nodes.drawVerifierAt(
                uint256(keccak256(abi.encode(entropy, id, attempt))),
                challengeBlock
            );
            if (!_isEligible(id, d, member, nodeSigner, challengeBlock)) continue;
            uint256 weight = _nodes.verifierWeightAt(member, challengeBlock);
            committee.push(member);
            _votes[id][member].weight = SafeCast.toUint128(weight);
            emit CommitteeMemberDrawn(id, member, weight);
        }
        if (committee.length < size) revert DisputeCommitteeUnavailable(id, committee.length, size);
    }

    function _isEligible(
        DisputeId id,
        Dispute storage d,
        address member,
        address nodeSigner,
        uint48 challengeBlock
    ) internal view returns (bool) {
        if (_votes[id][member].weight != 0) return false;
        address challenger = d.challenger;
        address beneficiary = d.beneficiary;
        if (member == d.node || member == nodeSigner || member == challenger || member == beneficiary) return false;
        address signer = _nodes.signerAt(member, challengeBlock);
        return signer != nodeSigner && signer != challenger && signer != beneficiary;
    }

    function _commit(address voter, DisputeId id, bytes32 commitment) internal {
        _checkState(id, DisputeState.Committing);
        Vote storage vote = _votes[id][voter];
        if (vote.weight == 0) revert DisputeNotMember(id, voter);
        if (commitment == bytes32(0)) revert DisputeZeroCommitment(id, voter);
        if (vote.commitment != bytes32(0)) revert DisputeAlreadyCommitted(id, voter);
        vote.commitment = commitment;
        emit VoteCommitted(id, voter, commitment);
    }

    function _reveal(address voter, DisputeId id, Verdict verdict, bytes32 outputHash, bytes32 salt) internal {
        _checkState(id, DisputeState.Revealing);
        Vote storage vote = _votes[id][voter];
        if (vote.weight == 0) revert DisputeNotMember(id, voter);
        if (vote.commitment == bytes32(0)) revert DisputeNotCommitted(id, voter);
        if (vote.revealed) revert DisputeAlreadyRevealed(id, voter);
        // The commitment binds the voter and the dispute: a copied commitment can't be revealed by the copier.
        bytes32 revealed = _commitmentOf(id, voter, verdict, outputHash, salt);
        if (revealed != vote.commitment) revert DisputeCommitmentMismatch(id, voter, vote.commitment, revealed);
        vote.revealed = true;
        vote.verdict = verdict;
        Dispute storage d = _disputes[id];
        // At most MAX_COMMITTEE_SIZE members reveal, so the uint8 count can't overflow.
        ++d.revealedCount;
        if (verdict == Verdict.NodeWrong) d.wrongWeight += vote.weight;
        else d.rightWeight += vote.weight;
        emit VoteRevealed(id, voter, verdict, outputHash, vote.weight);
    }

    function _settle(DisputeId id, bool nodeWrong) internal {
        Dispute storage d = _disputes[id];
        uint256 bonds = d.challengeBonds;
        address node = d.node;
        d.outcome = nodeWrong ? Outcome.NodeWrong : Outcome.NodeRight;
        _totalBonds -= bonds;
        // Exactly this dispute's own lock: slashes never change locks, so it is always there to release.
        _staking.unlock(node, d.amountAtRisk);

        uint256 slashed;
        uint256 challengerReward;
        uint256 voterRewards;
        uint256 toTreasury;
        if (nodeWrong) {
            // Jail first: the slash's stake notice then finds the node jailed and writes no sortition tree (slashing
            // first rewrote the node's weight in the tree of every model it serves, O(models)).
            _nodes.jail(node);
            uint256 received;
            (slashed, received) = _slashNode(d);
            // `Staking` pays this contract the rounded-down sum of both shares, at least the challenger's share.
            challengerReward = Math.min((slashed * d.params.challengerRewardBps) / BasisPoints.WHOLE, received);
            _shareAmongChallengers(id, d, bonds + challengerReward);
            uint256 pot = received - challengerReward;
            uint256 dust = _creditVoters(id, d, Verdict.NodeWrong, pot);
            voterRewards = pot - dust;
            toTreasury = slashed - challengerReward - voterRewards;
            if (dust > 0) _token.safeTransfer(_staking.treasury(), dust);
        } else {
            // Every challenger's bond is forfeited.
            uint256 pot = (bonds * d.params.voterRewardBps) / BasisPoints.WHOLE;
            uint256 dust = _creditVoters(id, d, Verdict.NodeRight, pot);
            voterRewards = pot - dust;
            _credit(id, node, bonds - voterRewards);
        }
        _attestation.resolveDispute(d.receiptHash, nodeWrong);
        _penalizeAbsentees(id, d);
        emit DisputeResolved(id, d.outcome, slashed, challengerReward, voterRewards, toTreasury);
    }

    /// @dev Undecided: never upholds. The receipt is challengeable again with its window extended by the time it was
    /// frozen, and the node's stake stays until that extended window closes.
    function _expire(DisputeId id) internal {
        Dispute storage d = _disputes[id];
        uint256 bonds = d.challengeBonds;
        address node = d.node;
        d.outcome = Outcome.Expired;
        _totalBonds -= bonds;
        _staking.unlock(node, d.amountAtRisk);
        _shareAmongChallengers(id, d, bonds);
        uint48 windowEnd = _attestation.expireDispute(d.receiptHash);
        _staking.extendSlashableUntil(node, windowEnd);
        _penalizeAbsentees(id, d);
        emit DisputeResolved(id, Outcome.Expired, 0, 0, 0, 0);
    }

    /// @dev Sets the challengers' pot of a settled dispute and credits the opening beneficiary's share at once (the
    /// others call `creditChallenger`). A dispute with no bond (the router's, nobody joined) credits the pot, the
    /// challenger reward, to its beneficiary (the treasury).
    function _shareAmongChallengers(DisputeId id, Dispute storage d, uint256 pot) internal {
        if (d.challengeBonds == 0) {
            _credit(id, d.beneficiary, pot);
            return;
        }
        d.challengerPot = SafeCast.toUint128(pot);
        _totalChallengerShares += pot;
        if (_challengeBondOf[id][d.beneficiary] != 0) _creditChallenger(id, d.beneficiary);
    }

    /// @dev Credits `beneficiary`'s pro-rata share of the pot; the last one takes the rest, so no dust is left.
    function _creditChallenger(DisputeId id, address beneficiary) internal returns (uint256 share) {
        Dispute storage d = _disputes[id];
        uint256 bond = _challengeBondOf[id][beneficiary];
        if (bond == 0 || d.outcome == Outcome.NodeRight) revert DisputeNoChallengerShare(id, beneficiary);
        uint256 bonds = d.challengeBonds;
        uint256 pot = d.challengerPot;
        share = bond == bonds ? pot : Math.mulDiv(pot, bond, bonds);
        _challengeBondOf[id][beneficiary] = 0;
        // `bond <= bonds` and `share <= pot`: each uncredited bond is counted in `challengeBonds`.
        d.challengeBonds = SafeCast.toUint128(bonds - bond);
        d.challengerPot = SafeCast.toUint128(pot - share);
        _totalChallengerShares -= share;
        _credit(id, beneficiary, share);
    }

    /// @dev Slashes `min(amount at risk, what the node has left)` (`Staking` caps it); this contract receives the
    /// challengers' and voters' shares.
    function _slashNode(Dispute storage d) internal returns (uint256 slashed, uint256 received) {
        uint256 amount = d.amountAtRisk;
        if (amount == 0) return (0, 0);
        // The share is bounded by 10,000 in `_setParameters`.
        uint16 share = d.params.challengerRewardBps + d.params.voterRewardBps;
        (slashed, received) = Slashing.slashToSelf(_staking, _token, d.node, amount, share);
    }

    /// @dev Credits `pot` to the revealed voters of `verdict` pro rata to weight, rounding down; returns the rest.
    function _creditVoters(
        DisputeId id,
        Dispute storage d,
        Verdict verdict,
        uint256 pot
    ) internal returns (uint256 rest) {
        uint256 total = verdict == Verdict.NodeWrong ? d.wrongWeight : d.rightWeight;
        if (pot == 0 || total == 0) return pot;
        rest = pot;
        address[] storage committee = _committees[id];
        for (uint256 i = 0; i < committee.length; ++i) {
            Vote storage vote = _votes[id][committee[i]];
            if (!vote.revealed || vote.verdict != verdict) continue;
            uint256 share = (pot * vote.weight) / total;
            // Shares round down and weights sum to `total`, so they never add up to more than `pot`.
            rest -= share;
            _credit(id, committee[i], share);
        }
    }

    /// @dev Bounded by the committee size (at most MAX_COMMITTEE_SIZE slashes).
    function _penalizeAbsentees(DisputeId id, Dispute storage d) internal {
        uint256 penaltyBps = d.params.nonRevealPenaltyBps;
        if (penaltyBps == 0) return;
        address[] storage committee = _committees[id];
        address[] memory none = new address[](0);
        uint16[] memory noShares = new uint16[](0);
        for (uint256 i = 0; i < committee.length; ++i) {
            Vote storage vote = _votes[id][committee[i]];
            if (vote.revealed) continue;
            uint256 penalty = (uint256(vote.weight) * penaltyBps) / BasisPoints.WHOLE;
            uint256 slashed = _staking.slash(committee[i], penalty, none, noShares);
            emit NonRevealPenalized(id, committee[i], slashed);
        }
    }

    function _credit(DisputeId id, address account, uint256 amount) internal {
        if (amount == 0) return;
        _addCredit(account, amount);
        emit RewardCredited(id, account, amount);
    }

    /// @dev The stake token, which credits are paid in.
    function _creditToken() internal view override returns (IERC20) {
        return _token;
    }

    function _setParameters(Parameters memory p) internal {
        BoundedParameters.check("bondFloor", p.bondFloor, 1, MAX_BOND_FLOOR);
        BoundedParameters.check("bondBps", p.bondBps, 0, BasisPoints.WHOLE);
        BoundedParameters.check("slashBps", p.slashBps, 1, BasisPoints.WHOLE);
        BoundedParameters.check("challengerRewardBps", p.challengerRewardBps, 0, MAX_CHALLENGER_REWARD_BPS);
        BoundedParameters.check("voterRewardBps", p.voterRewardBps, 0, BasisPoints.WHOLE - p.challengerRewardBps);
        BoundedParameters.check("nonRevealPenaltyBps", p.nonRevealPenaltyBps, 0, MAX_NON_REVEAL_PENALTY_BPS);
        BoundedParameters.check("committeeSize", p.committeeSize, 1, MAX_COMMITTEE_SIZE);
        BoundedParameters.check("quorum", p.quorum, 1, p.committeeSize);
        BoundedParameters.check("commitPeriod", p.commitPeriod, MIN_PERIOD, MAX_PERIOD);
        BoundedParameters.check("revealPeriod", p.revealPeriod, MIN_PERIOD, MAX_PERIOD);
        BoundedParameters.check("arbitrationPeriod", p.arbitrationPeriod, MIN_PERIOD, MAX_PERIOD);
        _params = p;
        emit ParametersSet(p);
    }

    function _checkState(DisputeId id, DisputeState expected) internal view {
        DisputeState current = state(id);
        if (current != expected) revert DisputeUnexpectedState(id, current, _encodeState(expected));
    }

    function _bondFor(Parameters memory p, uint256 amountAtRisk) internal pure returns (uint256) {
        return JudgmentBonds.bondFor(amountAtRisk, p.bondBps, p.bondFloor);
    }

    /// @dev What a judgment opened now can slash: a share of everything a slash can reach, whatever is locked.
    function _amountAtRisk(Parameters memory p, address node) internal view returns (uint256) {
        return JudgmentBonds.amountAtRisk(_staking.slashableStakeOf(node), p.slashBps);
    }

    function _commitmentOf(
        DisputeId id,
        address voter,
        Verdict verdict,
        bytes32 outputHash,
        bytes32 salt
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(id, voter, verdict, outputHash, salt));
    }

    /// @dev A bitmap with bit `state` set, as OpenZeppelin's Governor reports expected states.
    function _encodeState(DisputeState s) internal pure returns (bytes32) {
        return bytes32(1 << uint8(s));
    }
}
