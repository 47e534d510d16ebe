// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {BasisPoints} from "./BasisPoints.sol";

/// @title Judgment bonds
/// @notice The opening math the bonded judgments share (the dispute manager's committee disputes and the fraud game):
/// what a judgment opened now can slash, and the bond a challenger posts for it. The TypeScript mirror is the
/// off-chain computation of a join's bond (`src/verifier/joinOpenChallenge.ts`), which `joinBondOf` can replace.
library JudgmentBonds {
    /// @notice What a judgment opened now can slash: `slashBps` of everything a slash can reach, whatever is locked
    /// (locks only block withdrawals), fixed at opening.
    /// @param slashableStake The node's `IStaking.slashableStakeOf` now.
    /// @param slashBps The judgment's share of it, in basis points.
    /// @return The amount at risk, rounded down.
    function amountAtRisk(uint256 slashableStake, uint256 slashBps) internal pure returns (uint256) {
        return (slashableStake * slashBps) / BasisPoints.WHOLE;
    }

    /// @notice The bond of a challenge putting `atRisk` at risk: `bondBps` of it (rounded down), at least `bondFloor`.
    /// @param atRisk The judgment's amount at risk.
    /// @param bondBps The bond's share of the amount at risk, in basis points.
    /// @param bondFloor The least bond.
    /// @return The bond.
    function bondFor(uint256 atRisk, uint256 bondBps, uint256 bondFloor) internal pure returns (uint256) {
        return Math.max((atRisk * bondBps) / BasisPoints.WHOLE, bondFloor);
    }
}
