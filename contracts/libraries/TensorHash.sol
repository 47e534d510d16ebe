// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title TensorHash
/// @notice Hash of a tensor's canonical encoding (docs/protocol.md § Tensors), the same as `getTensorHash` in
/// `src/protocol`: `keccak256(0x01 ‖ dtype ‖ rank ‖ dims as uint32 little-endian ‖ data little-endian)`.
library TensorHash {
    /// @notice Version byte that opens every encoding.
    uint8 internal constant ENCODING_VERSION = 1;
    /// @notice Largest dtype code defined (int8=1, uint8=2, int16=3, int32=4, int64=5, float32=6, float64=7,
    /// float16=8, bool=9).
    uint8 internal constant MAX_DTYPE = 9;

    /// @notice The dtype code is not defined.
    error TensorHashUnknownDtype(uint8 dtype);
    /// @notice The shape has more than 255 dimensions.
    error TensorHashRankTooLarge(uint256 rank);
    /// @notice The data length is not `product(shape) * elementSize(dtype)`.
    error TensorHashDataLengthMismatch(uint256 expected, uint256 actual);

    /// @notice Bytes per element of a dtype.
    function elementSize(uint8 dtype) internal pure returns (uint256) {
        if (dtype == 1 || dtype == 2 || dtype == 9) return 1;
        if (dtype == 3 || dtype == 8) return 2;
        if (dtype == 4 || dtype == 6) return 4;
        if (dtype == 5 || dtype == 7) return 8;
        revert TensorHashUnknownDtype(dtype);
    }

    /// @notice The canonical encoding of a tensor from its dtype code, shape and raw little-endian data bytes.
    function encode(uint8 dtype, uint32[] memory shape, bytes memory data) internal pure returns (bytes memory) {
        uint256 size = elementSize(dtype);
        uint256 rank = shape.length;
        if (rank > type(uint8).max) revert TensorHashRankTooLarge(rank);
        bytes memory header = new bytes(3 + 4 * rank);
        header[0] = bytes1(ENCODING_VERSION);
        header[1] = bytes1(dtype);
        header[2] = bytes1(uint8(rank));
        uint256 count = 1;
        for (uint256 i = 0; i < rank; ++i) {
            uint32 dim = shape[i];
            count *= dim;
            uint256 at = 3 + 4 * i;
            header[at] = bytes1(uint8(dim));
            header[at + 1] = bytes1(uint8(dim >> 8));
            header[at + 2] = bytes1(uint8(dim >> 16));
            header[at + 3] = bytes1(uint8(dim >> 24));
        }
        if (data.length != count * size) revert TensorHashDataLengthMismatch(count * size, data.length);
        return bytes.concat(header, data);
    }

    /// @notice keccak256 of the canonical encoding: a receipt's `inputHash` / `outputHash`.
    function hash(uint8 dtype, uint32[] memory shape, bytes memory data) internal pure returns (bytes32) {
        return keccak256(encode(dtype, shape, data));
    }
}
