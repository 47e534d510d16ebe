// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title One-step executor of the integer runtime v2
/// @notice Recomputes one step of one element of a `verity-int8-v2` layer on chain: for dense and conv2d one segment of
/// the element's accumulator (≤ 32 weights, or one kernel row), for every other op the whole element. Weights are
/// proven against the model id, inputs against the receipt's trace root, both with positional Merkle proofs, so the
/// cost depends on log(layer size) only.
interface IOneStepExecutor {
    /// @notice The weights a step uses, proven against the model id.
    /// @param header The model header (docs/runtime.md); with `weightsRoot` it must hash to the model id.
    /// @param weightsRoot The root over the layers' weight roots.
    /// @param layerWeightsRoot The layer's weight root (zero for ops without weights), at the layer's index.
    /// @param layerProof Its positional proof against `weightsRoot`.
    /// @param leaf The weight segment: `(segment == 0 ? i32 bias : "") ‖ i8 weights` (empty for ops without weights).
    /// @param leafProof Its positional proof against `layerWeightsRoot`, at `row · segments + segment`.
    struct WeightProof {
        bytes header;
        bytes32 weightsRoot;
        bytes32 layerWeightsRoot;
        bytes32[] layerProof;
        bytes leaf;
        bytes32[] leafProof;
    }

    /// @notice One 128-byte trace chunk (32 int32, big-endian) proven against the trace root.
    /// @param tensor The trace tensor (0 = input, k = layer k's output).
    /// @param index The chunk's index in the tensor.
    /// @param data The chunk.
    /// @param tensorRoot The tensor's root; `tensorProof` proves it at `tensor` against the trace root.
    /// @param chunkProof Proves `keccak256(data)` at `index` against `tensorRoot`.
    struct TraceChunk {
        uint256 tensor;
        uint256 index;
        bytes data;
        bytes32 tensorRoot;
        bytes32[] tensorProof;
        bytes32[] chunkProof;
    }

    /// @notice One step: element `element` of layer `layer`, segment `segment`, starting from accumulator `accIn`.
    struct Step {
        uint256 layer;
        uint256 element;
        uint256 segment;
        int256 accIn;
        WeightProof weights;
        TraceChunk[] inputs;
    }

    error OneStepLayerOutOfRange(uint256 layer, uint256 layers);
    error OneStepElementOutOfRange(uint256 element, uint256 size);
    error OneStepSegmentOutOfRange(uint256 segment, uint256 segments);
    error OneStepUnknownOp(uint8 op);
    error OneStepBadChunk(uint256 tensor, uint256 index);
    error OneStepBadWeights(uint256 layer, uint256 leafIndex);
    error OneStepMissingInput(uint256 tensor, uint256 element);
    error OneStepOutputTooLarge(uint256 size, uint256 max);
    /// @notice A requantize layer whose shift is outside 1..46 (docs/runtime.md): a model no runtime executes.
    error OneStepRequantizeShiftOutOfRange(uint256 layer, uint8 shift);
    /// @notice A pooling layer with a zero window: a model no runtime executes.
    error OneStepPoolKernelZero(uint256 layer);
    /// @notice An add layer whose second operand is not an earlier tensor (`src < layer`).
    error OneStepAddSourceOutOfRange(uint256 layer, uint8 src);
    /// @notice A starting accumulator outside int32 (every accumulator of the runtime is an int32).
    error OneStepAccumulatorOutOfRange(int256 accIn);

    /// @notice The value after the step: the accumulator after `segment` (dense, conv2d), else the element.
    /// @dev Reverts when a proof does not verify or an input the step needs is missing, and with a named error (never
    /// an arithmetic panic) for a committed layer no runtime executes: a requantize shift outside 1..46, a pooling
    /// window of zero, an add reading a tensor that is not an earlier one. A model id commits to whatever header its
    /// owner chose, so these are checked here, where the header is first proven; the TypeScript runtime refuses such
    /// models at load (`validateIntegerModelV2`), so no honest node serves one and no honest challenger replays one.
    function execute(bytes32 modelId, bytes32 traceRoot, Step calldata step) external pure returns (int256 value);

    /// @notice Checks that `chunks` (128 bytes each) is the whole last tensor of the trace (at most 1,024 elements)
    /// and returns the receipt output it gives: its argmax as int32 `[1]`, or the tensor as `[1, n]` (int8 after a
    /// requantize, else int32). `valid` is false when an int8 output holds a value out of range.
    function outputHashOf(
        bytes32 modelId,
        bytes32 traceRoot,
        bytes calldata header,
        bytes32 weightsRoot,
        bytes32[] calldata proof,
        bytes calldata chunks
    ) external pure returns (bool valid, bytes32 outputHash);

    /// @notice Element `e` of a canonical int8 tensor encoding of `size` elements; `valid` false when `encoding` is
    /// not one (another dtype, another element count).
    function inputElementOf(
        bytes calldata encoding,
        uint256 size,
        uint256 e
    ) external pure returns (bool valid, int256 value);
}
