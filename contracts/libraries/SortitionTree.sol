// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";

/// @title Sortition tree
/// @notice Stake-weighted random selection in O(log n), now and at any past block: a Fenwick (binary indexed) tree of
/// weights keyed by address, grown by appending, whose every sum, key weight, total and length is an OpenZeppelin
/// `Checkpoints.Trace208` keyed by block number. A key keeps its slot forever; a weight of zero takes it out of every
/// draw from then on.
/// @dev `sums[i]` (1-based) holds the sum of the weights of slots `(i - lowbit(i), i]`. Appending slot `i` with
/// weight `w` sets `sums[i] = w + prefix(i - 1) - prefix(i - lowbit(i))`; updating walks `i += lowbit(i)`; a draw
/// descends from the highest power of two not above the length. A draw at block `b` reads every visited sum, and the
/// length, as of the end of block `b` (`upperLookupRecent`): O(log n · log h) for a history of h checkpoints per sum,
/// no loop over all entries. A slot appended after `b` lies beyond the length at `b`, so the descent never reads a sum
/// that did not exist then. Block numbers must never decrease from one write to the next (Checkpoints reverts).
library SortitionTree {
    using Checkpoints for Checkpoints.Trace208;

    struct Tree {
        /// @dev 1-based Fenwick sums; index 0 unused (pushed on first insert).
        Checkpoints.Trace208[] sums;
        /// @dev The number of slots (the Fenwick length), checkpointed on every append.
        Checkpoints.Trace208 length;
        Checkpoints.Trace208 totalWeight;
        mapping(address key => Checkpoints.Trace208) weights;
        mapping(address key => uint256 slot) slotOf;
        mapping(uint256 slot => address key) keyAt;
    }

    /// @notice A draw value at or above the total weight.
    error SortitionTreeDrawOutOfRange(uint256 value, uint256 total);

    /// @notice Sets `key`'s weight from block `blockNumber` on, adding the key on its first non-zero weight.
    /// @param blockNumber The current block (never below the block of an earlier write).
    function set(Tree storage self, address key, uint256 weight, uint48 blockNumber) internal {
        uint256 previous = self.weights[key].latest();
        if (previous == weight) return;
        uint256 slot = self.slotOf[key];
        if (slot == 0) {
            _append(self, key, weight, blockNumber);
        } else if (weight > previous) {
            _add(self, slot, weight - previous, blockNumber);
        } else {
            _subtract(self, slot, previous - weight, blockNumber);
        }
        self.weights[key].push(blockNumber, SafeCast.toUint208(weight));
        self.totalWeight.push(blockNumber, SafeCast.toUint208(self.totalWeight.latest() - previous + weight));
    }

    /// @notice The weight of `key` now (zero when never added).
    function weightOf(Tree storage self, address key) internal view returns (uint256) {
        return self.weights[key].latest();
    }

    /// @notice The weight of `key` at the end of block `blockNumber`.
    function weightAt(Tree storage self, address key, uint48 blockNumber) internal view returns (uint256) {
        return self.weights[key].upperLookupRecent(blockNumber);
    }

    /// @notice The sum of all weights now.
    function total(Tree storage self) internal view returns (uint256) {
        return self.totalWeight.latest();
    }

    /// @notice The sum of all weights at the end of block `blockNumber`.
    function totalAt(Tree storage self, uint48 blockNumber) internal view returns (uint256) {
        return self.totalWeight.upperLookupRecent(blockNumber);
    }

    /// @notice The key whose cumulative range `[prefix before it, prefix including it)` contains `value`, with the
    /// weights of now.
    /// @param value A number below `total(self)`, e.g. a random seed modulo the total.
    function draw(Tree storage self, uint256 value) internal view returns (address) {
        uint256 totalNow = self.totalWeight.latest();
        if (value >= totalNow) revert SortitionTreeDrawOutOfRange(value, totalNow);
        Checkpoints.Trace208[] storage sums = self.sums;
        // A non-zero total means at least one slot was appended, so `sums.length >= 2` and `length >= 1`.
        uint256 length = sums.length - 1;
        uint256 position = 0;
        uint256 remaining = value;
        for (uint256 step = _highestPowerOfTwo(length); step > 0; step >>= 1) {
            uint256 next = position + step;
            if (next <= length) {
                uint256 sum = sums[next].latest();
                if (sum <= remaining) {
                    position = next;
                    remaining -= sum;
                }
            }
        }
        // `position` is the last slot whose prefix sum is <= value, so the drawn slot is the next one.
        return self.keyAt[position + 1];
    }

    /// @notice As `draw`, with the weights as they were at the end of block `blockNumber`.
    /// @param value A number below `totalAt(self, blockNumber)`.
    function drawAt(Tree storage self, uint256 value, uint48 blockNumber) internal view returns (address) {
        uint256 totalThen = self.totalWeight.upperLookupRecent(blockNumber);
        if (value >= totalThen) revert SortitionTreeDrawOutOfRange(value, totalThen);
        Checkpoints.Trace208[] storage sums = self.sums;
        // A non-zero total at `blockNumber` means at least one slot existed then.
        uint256 length = self.length.upperLookupRecent(blockNumber);
        uint256 position = 0;
        uint256 remaining = value;
        for (uint256 step = _highestPowerOfTwo(length); step > 0; step >>= 1) {
            uint256 next = position + step;
            if (next <= length) {
                uint256 sum = sums[next].upperLookupRecent(blockNumber);
                if (sum <= remaining) {
                    position = next;
                    remaining -= sum;
                }
            }
        }
        return self.keyAt[position + 1];
    }

    function _append(Tree storage self, address key, uint256 weight, uint48 blockNumber) private {
        Checkpoints.Trace208[] storage sums = self.sums;
        if (sums.length == 0) sums.push();
        uint256 slot = sums.length;
        uint256 lowest = slot & (~slot + 1);
        uint256 sum = weight + _prefix(sums, slot - 1) - _prefix(sums, slot - lowest);
        sums.push().push(blockNumber, SafeCast.toUint208(sum));
        self.length.push(blockNumber, SafeCast.toUint208(slot));
        self.slotOf[key] = slot;
        self.keyAt[slot] = key;
    }

    function _add(Tree storage self, uint256 slot, uint256 amount, uint48 blockNumber) private {
        Checkpoints.Trace208[] storage sums = self.sums;
        uint256 length = sums.length - 1;
        for (uint256 i = slot; i <= length; i += i & (~i + 1)) {
            Checkpoints.Trace208 storage sum = sums[i];
            sum.push(blockNumber, SafeCast.toUint208(sum.latest() + amount));
        }
    }

    function _subtract(Tree storage self, uint256 slot, uint256 amount, uint48 blockNumber) private {
        Checkpoints.Trace208[] storage sums = self.sums;
        uint256 length = sums.length - 1;
        for (uint256 i = slot; i <= length; i += i & (~i + 1)) {
            Checkpoints.Trace208 storage sum = sums[i];
            // A node's sum includes `slot`'s weight, which is at least `amount`.
            sum.push(blockNumber, uint208(sum.latest() - amount));
        }
    }

    function _prefix(Checkpoints.Trace208[] storage sums, uint256 slot) private view returns (uint256 sum) {
        for (uint256 i = slot; i > 0; i -= i & (~i + 1)) sum += sums[i].latest();
    }

    /// @dev The highest power of two not above `n`, for `n >= 1` (a non-zero total, now or at a past block, means at
    /// least one slot: the length is checkpointed with the first append); at most 255 doublings.
    function _highestPowerOfTwo(uint256 n) private pure returns (uint256 power) {
        power = 1;
        while (power <= n >> 1) power <<= 1;
    }
}
