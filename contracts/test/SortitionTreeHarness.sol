// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SortitionTree} from "../libraries/SortitionTree.sol";

/// @notice Test harness exposing the SortitionTree library; writes are keyed by the current block.
contract SortitionTreeHarness {
    using SortitionTree for SortitionTree.Tree;

    SortitionTree.Tree private _tree;

    function set(address key, uint256 weight) external {
        _tree.set(key, weight, uint48(block.number));
    }

    function setMany(address[] calldata keys, uint256[] calldata weights) external {
        for (uint256 i = 0; i < keys.length; ++i) _tree.set(keys[i], weights[i], uint48(block.number));
    }

    function weightOf(address key) external view returns (uint256) {
        return _tree.weightOf(key);
    }

    function weightAt(address key, uint48 blockNumber) external view returns (uint256) {
        return _tree.weightAt(key, blockNumber);
    }

    function total() external view returns (uint256) {
        return _tree.total();
    }

    function totalAt(uint48 blockNumber) external view returns (uint256) {
        return _tree.totalAt(blockNumber);
    }

    function draw(uint256 value) external view returns (address) {
        return _tree.draw(value);
    }

    function drawAt(uint256 value, uint48 blockNumber) external view returns (address) {
        return _tree.drawAt(value, blockNumber);
    }
}
