// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

/// @title Positional Merkle proofs
/// @notice Fixed-depth Merkle trees whose proofs bind the leaf's index (`src/protocol/positionalMerkle.ts`): `count`
/// leaves padded with zero leaves to `2^depth`, `depth = ceil(log2 count)`, inner node `keccak256(left ‖ right)`
/// (OpenZeppelin `Hashes.efficientKeccak256`). OpenZeppelin's `MerkleProof` hashes sorted pairs, so its proofs do not
/// fix a position: one root could open to two values at one index. The fraud game needs exactly one value per trace
/// element and weight segment, hence this small library on top of OpenZeppelin's pair hash.
library PositionalMerkle {
    /// @notice `ceil(log2(count))`, 0 for `count <= 1`.
    function depthOf(uint256 count) internal pure returns (uint256 depth) {
        while ((uint256(1) << depth) < count) ++depth;
    }

    /// @notice Folds `proof` (siblings bottom-up) onto `leaf` at `index`.
    function processProof(bytes32 leaf, uint256 index, bytes32[] calldata proof) internal pure returns (bytes32 node) {
        node = leaf;
        for (uint256 d = 0; d < proof.length; ++d) {
            node =
                (index >> d) & 1 == 0
                    ? Hashes.efficientKeccak256(node, proof[d])
                    : Hashes.efficientKeccak256(proof[d], node);
        }
    }

    /// @notice True when `leaf` is at `index` of the tree over `count` leaves with root `root`. The proof must have
    /// exactly the tree's depth and `index` must fit in it, so no other position or depth can alias this one.
    function verify(
        bytes32[] calldata proof,
        bytes32 root,
        bytes32 leaf,
        uint256 index,
        uint256 count
    ) internal pure returns (bool) {
        uint256 depth = depthOf(count);
        return index < count && proof.length == depth && processProof(leaf, index, proof) == root;
    }

    /// @notice Root of a complete tree over `nodes` (its length a power of two), hashed level by level in place.
    function rootOf(bytes32[] memory nodes) internal pure returns (bytes32) {
        uint256 n = nodes.length;
        while (n > 1) {
            for (uint256 i = 0; i < n / 2; ++i) {
                nodes[i] = Hashes.efficientKeccak256(nodes[2 * i], nodes[2 * i + 1]);
            }
            n /= 2;
        }
        return nodes[0];
    }
}
