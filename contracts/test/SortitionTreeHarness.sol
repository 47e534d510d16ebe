// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SortitionTree} from "../libraries/SortitionTree.sol";

/// @notice Test harness exposing the SortitionTree library.
contract SortitionTreeHarness {
    using SortitionTree for SortitionTree.Tree;

    SortitionTree.Tree private _tree;

    function set(address key, uint256 weight) external {
        _tree.set(key, weight);
    }

    function setMany(address[] calldata keys, uint256[] calldata weights) external {
        for (uint256 i = 0; i < keys.length; ++i) _tree.set(keys[i], weights[i]);
    }

    function weightOf(address key) external view returns (uint256) {
        return _tree.weightOf(key);
    }

    function total() external view returns (uint256) {
        return _tree.total();
    }

    function draw(uint256 value) external view returns (address) {
        return _tree.draw(value);
    }
}
