// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IStakeObserver} from "../interfaces/IStakeObserver.sol";
import {IStaking} from "../interfaces/IStaking.sol";

/// @notice Test double: records each `stakeChanged` call with the active stake `Staking` reports at that moment.
contract StakeObserverMock is IStakeObserver {
    event StakeChangeObserved(address indexed node, uint256 activeStake);

    IStaking public immutable staking;
    uint256 public calls;
    uint256 public minimumChanges;

    constructor(IStaking staking_) {
        staking = staking_;
    }

    function stakeChanged(address node) external {
        ++calls;
        emit StakeChangeObserved(node, staking.activeStakeOf(node));
    }

    function minimumStakeChanged() external {
        ++minimumChanges;
    }
}
