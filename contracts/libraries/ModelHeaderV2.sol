// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Runtime-v2 model header
/// @notice Reads the header of a `verity-int8-v2` artifact (docs/runtime.md § Integer runtime v2) and checks it against
/// a model id: `modelId = keccak256(keccak256(header) ‖ weightsRoot)`. Big-endian; a 32-byte prefix, then one 32-byte
/// record per layer: `u8 op ‖ u8 src ‖ u8 kernel ‖ u8 stride ‖ u8 pad ‖ u8 shift ‖ u16 multiplier ‖ u32 inC ‖ u32 inH ‖
/// u32 inW ‖ u32 outC ‖ u32 outH ‖ u32 outW`.
library ModelHeaderV2 {
    uint8 internal constant OP_DENSE = 1;
    uint8 internal constant OP_CONV2D = 2;
    uint8 internal constant OP_MAX_POOL = 3;
    uint8 internal constant OP_AVG_POOL = 4;
    uint8 internal constant OP_FLATTEN = 5;
    uint8 internal constant OP_ADD = 6;
    uint8 internal constant OP_RELU = 7;
    uint8 internal constant OP_REQUANTIZE = 8;
    uint8 internal constant OUTPUT_ARGMAX = 1;
    /// @notice Elements per trace chunk and per dense segment.
    uint256 internal constant CHUNK = 32;

    /// @notice One decoded layer record.
    struct Layer {
        uint8 op;
        uint8 src;
        uint8 kernel;
        uint8 stride;
        uint8 pad;
        uint8 shift;
        uint16 multiplier;
        uint256 inC;
        uint256 inH;
        uint256 inW;
        uint256 outC;
        uint256 outH;
        uint256 outW;
    }

    /// @notice The header and weights root do not commit to the model id.
    error ModelHeaderMismatch(bytes32 modelId, bytes32 committed);
    /// @notice The header's length does not fit its layer count.
    error ModelHeaderMalformed(uint256 length, uint256 layers);

    /// @notice Checks the header against `modelId`; returns the layer count L (tensors are 0..L).
    function check(bytes calldata header, bytes32 weightsRoot, bytes32 modelId) internal pure returns (uint256 layers) {
        bytes32 committed = keccak256(abi.encodePacked(keccak256(header), weightsRoot));
        if (committed != modelId) revert ModelHeaderMismatch(modelId, committed);
        if (header.length < 32) revert ModelHeaderMalformed(header.length, 0);
        layers = uint8(header[6]);
        if (layers == 0 || header.length != 32 + 32 * layers) revert ModelHeaderMalformed(header.length, layers);
    }

    function _u32(bytes calldata b, uint256 at) private pure returns (uint256) {
        return uint32(bytes4(b[at:at + 4]));
    }

    /// @notice Layer `k` (1-based).
    function layer(bytes calldata header, uint256 k) internal pure returns (Layer memory spec) {
        uint256 at = 32 * k;
        spec.op = uint8(header[at]);
        spec.src = uint8(header[at + 1]);
        spec.kernel = uint8(header[at + 2]);
        spec.stride = uint8(header[at + 3]);
        spec.pad = uint8(header[at + 4]);
        spec.shift = uint8(header[at + 5]);
        spec.multiplier = uint16(bytes2(header[at + 6:at + 8]));
        spec.inC = _u32(header, at + 8);
        spec.inH = _u32(header, at + 12);
        spec.inW = _u32(header, at + 16);
        spec.outC = _u32(header, at + 20);
        spec.outH = _u32(header, at + 24);
        spec.outW = _u32(header, at + 28);
    }

    /// @notice Element count of tensor `t` (0 = input, k = layer k's output).
    function tensorSize(bytes calldata header, uint256 t) internal pure returns (uint256) {
        if (t == 0) return _u32(header, 8) * _u32(header, 12) * _u32(header, 16);
        uint256 at = 32 * t;
        return _u32(header, at + 20) * _u32(header, at + 24) * _u32(header, at + 28);
    }

    /// @notice Segments of one element's accumulation: dense `ceil(in / 32)`, conv2d `inC · k`, else 1.
    function segmentCount(Layer memory spec) internal pure returns (uint256) {
        if (spec.op == OP_DENSE) return (spec.inC * spec.inH * spec.inW + CHUNK - 1) / CHUNK;
        if (spec.op == OP_CONV2D) return spec.inC * spec.kernel;
        return 1;
    }

    /// @notice The output op (0 identity, 1 argmax).
    function outputOp(bytes calldata header) internal pure returns (uint8) {
        return uint8(header[5]);
    }
}
