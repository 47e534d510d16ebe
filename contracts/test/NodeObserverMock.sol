// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {INodeObserver} from "../interfaces/INodeObserver.sol";

/// @notice Test double: records the node registry's notifications.
contract NodeObserverMock is INodeObserver {
    event NodeChangeObserved(address indexed node);
    event MinimumStakeChangeObserved();

    function nodeChanged(address node) external {
        emit NodeChangeObserved(node);
    }

    function minimumStakeChanged() external {
        emit MinimumStakeChangeObserved();
    }
}
