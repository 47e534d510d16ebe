// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Sortition tree
/// @notice Stake-weighted random selection in O(log n): a Fenwick (binary indexed) tree of weights keyed by address,
/// grown by appending. A key keeps its slot forever; a weight of zero takes it out of every draw.
/// @dev `sums[i]` (1-based) holds the sum of the weights of slots `(i - lowbit(i), i]`. Appending slot `i` with
/// weight `w` sets `sums[i] = w + prefix(i - 1) - prefix(i - lowbit(i))`; updating walks `i += lowbit(i)`; a draw
/// descends from the highest power of two not above the length. No operation loops over all entries.
library SortitionTree {
    struct Tree {
        /// @dev 1-based Fenwick sums; index 0 unused (pushed on first insert).
        uint256[] sums;
        mapping(address key => uint256 slot) slotOf;
        mapping(uint256 slot => address key) keyAt;
        mapping(address key => uint256 weight) weights;
        uint256 totalWeight;
    }

    /// @notice A draw value at or above the total weight.
    error SortitionTreeDrawOutOfRange(uint256 value, uint256 total);

    /// @notice Sets `key`'s weight, adding the key on its first non-zero weight.
    function set(Tree storage self, address key, uint256 weight) internal {
        uint256 previous = self.weights[key];
        if (previous == weight) return;
        uint256 slot = self.slotOf[key];
        if (slot == 0) {
            _append(self, key, weight);
        } else if (weight > previous) {
            _add(self, slot, weight - previous);
        } else {
            _subtract(self, slot, previous - weight);
        }
        self.weights[key] = weight;
        self.totalWeight = self.totalWeight - previous + weight;
    }

    /// @notice The weight of `key` (zero when never added).
    function weightOf(Tree storage self, address key) internal view returns (uint256) {
        return self.weights[key];
    }

    /// @notice The sum of all weights.
    function total(Tree storage self) internal view returns (uint256) {
        return self.totalWeight;
    }

    /// @notice The key whose cumulative range `[prefix before it, prefix including it)` contains `value`.
    /// @param value A number below `total(self)`, e.g. a random seed modulo the total.
    function draw(Tree storage self, uint256 value) internal view returns (address) {
        if (value >= self.totalWeight) revert SortitionTreeDrawOutOfRange(value, self.totalWeight);
        uint256[] storage sums = self.sums;
        // A non-zero total means at least one slot was appended, so `sums.length >= 2` and `length >= 1`.
        uint256 length = sums.length - 1;
        uint256 position = 0;
        uint256 remaining = value;
        for (uint256 step = _highestPowerOfTwo(length); step > 0; step >>= 1) {
            uint256 next = position + step;
            if (next <= length && sums[next] <= remaining) {
                position = next;
                remaining -= sums[next];
            }
        }
        // `position` is the last slot whose prefix sum is <= value, so the drawn slot is the next one.
        return self.keyAt[position + 1];
    }

    function _append(Tree storage self, address key, uint256 weight) private {
        uint256[] storage sums = self.sums;
        if (sums.length == 0) sums.push(0);
        uint256 slot = sums.length;
        uint256 lowest = slot & (~slot + 1);
        sums.push(weight + _prefix(sums, slot - 1) - _prefix(sums, slot - lowest));
        self.slotOf[key] = slot;
        self.keyAt[slot] = key;
    }

    function _add(Tree storage self, uint256 slot, uint256 amount) private {
        uint256[] storage sums = self.sums;
        uint256 length = sums.length - 1;
        for (uint256 i = slot; i <= length; i += i & (~i + 1)) sums[i] += amount;
    }

    function _subtract(Tree storage self, uint256 slot, uint256 amount) private {
        uint256[] storage sums = self.sums;
        uint256 length = sums.length - 1;
        for (uint256 i = slot; i <= length; i += i & (~i + 1)) sums[i] -= amount;
    }

    function _prefix(uint256[] storage sums, uint256 slot) private view returns (uint256 sum) {
        for (uint256 i = slot; i > 0; i -= i & (~i + 1)) sum += sums[i];
    }

    /// @dev The highest power of two not above `n`, for `n >= 1`; at most 255 doublings.
    function _highestPowerOfTwo(uint256 n) private pure returns (uint256 power) {
        power = 1;
        while (power <= n >> 1) power <<= 1;
    }
}
