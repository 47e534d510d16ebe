// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOneStepExecutor} from "../../interfaces/IOneStepExecutor.sol";
import {ModelHeaderV2} from "../../libraries/ModelHeaderV2.sol";
import {PositionalMerkle} from "../../libraries/PositionalMerkle.sol";
import {TensorHash} from "../../libraries/TensorHash.sol";

/// @title One-step executor (integer runtime v2)
/// @notice See {IOneStepExecutor}. Stateless; the element rules are those of `src/runtime/integerV2/ops.ts`.
contract OneStepExecutor is IOneStepExecutor {
    uint256 private constant CHUNK = 32;
    uint256 private constant CHUNK_BYTES = 128;
    /// @notice Largest last tensor `outputHashOf` takes whole.
    uint256 public constant MAX_OUTPUT_ELEMENTS = 1_024;
    /// @notice Requantize shifts the runtime defines (`src/runtime/requantize.ts`).
    uint8 public constant MIN_REQUANTIZE_SHIFT = 1;
    uint8 public constant MAX_REQUANTIZE_SHIFT = 46;

    /// @inheritdoc IOneStepExecutor
    function execute(bytes32 modelId, bytes32 traceRoot, Step calldata step) external pure returns (int256 value) {
        bytes calldata header = step.weights.header;
        uint256 layers = ModelHeaderV2.check(header, step.weights.weightsRoot, modelId);
        uint256 k = step.layer;
        if (k == 0 || k > layers) revert OneStepLayerOutOfRange(k, layers);
        ModelHeaderV2.Layer memory spec = ModelHeaderV2.layer(header, k);
        _checkLayer(k, spec, step.accIn);
        uint256 size = spec.outC * spec.outH * spec.outW;
        if (step.element >= size) revert OneStepElementOutOfRange(step.element, size);
        uint256 segments = ModelHeaderV2.segmentCount(spec);
        if (step.segment >= segments) revert OneStepSegmentOutOfRange(step.segment, segments);
        _checkInputs(header, layers, traceRoot, k, spec, step.inputs);

        uint8 op = spec.op;
        if (op == ModelHeaderV2.OP_DENSE || op == ModelHeaderV2.OP_CONV2D) {
            bytes calldata leaf = _checkWeights(step, layers, spec, segments);
            int256 sum = step.segment == 0 ? int256(int32(uint32(bytes4(leaf[0:4])))) : int256(0);
            uint256 head = step.segment == 0 ? 4 : 0;
            sum += op == ModelHeaderV2.OP_DENSE ? _denseDot(step, leaf, head) : _convDot(step, spec, leaf, head);
            return _wrap(step.accIn + sum);
        }
        uint256 e = step.element;
        if (op == ModelHeaderV2.OP_MAX_POOL || op == ModelHeaderV2.OP_AVG_POOL) return _pool(step, spec);
        int256 x = _input(step.inputs, k - 1, e);
        if (op == ModelHeaderV2.OP_FLATTEN) return x;
        if (op == ModelHeaderV2.OP_RELU) return x < 0 ? int256(0) : x;
        if (op == ModelHeaderV2.OP_ADD) return _wrap(x + _input(step.inputs, spec.src, e));
        if (op == ModelHeaderV2.OP_REQUANTIZE) {
            // floor((x·M + 2^(s-1)) / 2^s): `>>` on a signed integer is an arithmetic shift, i.e. floor division.
            int256 y = (x * int256(uint256(spec.multiplier)) + int256(1 << (spec.shift - 1))) >> spec.shift;
            return y < -128 ? int256(-128) : (y > 127 ? int256(127) : y);
        }
        revert OneStepUnknownOp(op);
    }

    /// @inheritdoc IOneStepExecutor
    function outputHashOf(
        bytes32 modelId,
        bytes32 traceRoot,
        bytes calldata header,
        bytes32 weightsRoot,
        bytes32[] calldata proof,
        bytes calldata chunks
    ) external pure returns (bool valid, bytes32 outputHash) {
        (uint256 layers, uint256 size) = _checkFinalTensor(modelId, traceRoot, header, weightsRoot, proof, chunks);
        bool int8Output = ModelHeaderV2.layer(header, layers).op == ModelHeaderV2.OP_REQUANTIZE;
        return _outputHash(ModelHeaderV2.outputOp(header), int8Output, chunks, size);
    }

    /// @inheritdoc IOneStepExecutor
    function inputElementOf(
        bytes calldata encoding,
        uint256 size,
        uint256 e
    ) external pure returns (bool valid, int256 value) {
        if (encoding.length < 3 || uint8(encoding[0]) != TensorHash.ENCODING_VERSION || uint8(encoding[1]) != 1) {
            return (false, 0);
        }
        uint256 head = 3 + 4 * uint8(encoding[2]);
        if (encoding.length != head + size || e >= size) return (false, 0);
        uint256 count = 1;
        for (uint256 i = 3; i < head; i += 4) {
            count *= _le32At(encoding, i);
            // `count <= size` before each product (`size` is below the calldata's length) and a dimension is < 2^32:
            // no product overflows, however many dimensions a crafted encoding declares.
            if (count > size) return (false, 0);
        }
        if (count != size) return (false, 0);
        return (true, int8(uint8(encoding[head + e])));
    }

    /// @dev Named errors for the parameters whose values would otherwise panic (a shift below 1 underflows, a zero
    /// pooling window divides by zero, an add source past the header reads out of its bounds), and the runtime's
    /// other bounds on the same fields; an accumulator outside int32 could overflow the sum.
    function _checkLayer(uint256 k, ModelHeaderV2.Layer memory spec, int256 accIn) private pure {
        uint8 op = spec.op;
        if (op == ModelHeaderV2.OP_REQUANTIZE) {
            if (spec.shift < MIN_REQUANTIZE_SHIFT || spec.shift > MAX_REQUANTIZE_SHIFT) {
                revert OneStepRequantizeShiftOutOfRange(k, spec.shift);
            }
        } else if (op == ModelHeaderV2.OP_MAX_POOL || op == ModelHeaderV2.OP_AVG_POOL) {
            if (spec.kernel == 0) revert OneStepPoolKernelZero(k);
        } else if (op == ModelHeaderV2.OP_ADD) {
            if (spec.src >= k) revert OneStepAddSourceOutOfRange(k, spec.src);
        }
        if (accIn < type(int32).min || accIn > type(int32).max) revert OneStepAccumulatorOutOfRange(accIn);
    }

    /// @dev Checks that `chunks` is the whole last tensor of the trace; returns L and its size.
    function _checkFinalTensor(
        bytes32 modelId,
        bytes32 traceRoot,
        bytes calldata header,
        bytes32 weightsRoot,
        bytes32[] calldata proof,
        bytes calldata chunks
    ) private pure returns (uint256 layers, uint256 size) {
        layers = ModelHeaderV2.check(header, weightsRoot, modelId);
        size = ModelHeaderV2.tensorSize(header, layers);
        if (size > MAX_OUTPUT_ELEMENTS) revert OneStepOutputTooLarge(size, MAX_OUTPUT_ELEMENTS);
        uint256 count = (size + CHUNK - 1) / CHUNK;
        if (chunks.length != count * CHUNK_BYTES) revert OneStepBadChunk(layers, count);
        bytes32[] memory leaves = new bytes32[](uint256(1) << PositionalMerkle.depthOf(count));
        for (uint256 i = 0; i < count; ++i) leaves[i] = keccak256(chunks[i * CHUNK_BYTES:(i + 1) * CHUNK_BYTES]);
        if (!PositionalMerkle.verify(proof, traceRoot, PositionalMerkle.rootOf(leaves), layers, layers + 1)) {
            revert OneStepBadChunk(layers, count);
        }
    }

    /// @dev The receipt output the last tensor gives: argmax (int32 `[1]`) or the tensor itself as `[1, n]`.
    function _outputHash(
        uint8 outputOp,
        bool int8Output,
        bytes calldata chunks,
        uint256 size
    ) private pure returns (bool valid, bytes32) {
        uint32[] memory shape = new uint32[](outputOp == ModelHeaderV2.OUTPUT_ARGMAX ? 1 : 2);
        shape[0] = 1;
        if (outputOp == ModelHeaderV2.OUTPUT_ARGMAX) {
            uint256 best;
            for (uint256 i = 1; i < size; ++i) if (_at(chunks, i) > _at(chunks, best)) best = i;
            return (true, TensorHash.hash(4, shape, abi.encodePacked(_le32(uint32(best)))));
        }
        shape[1] = uint32(size);
        bytes memory data = new bytes(size * (int8Output ? 1 : 4));
        for (uint256 i = 0; i < size; ++i) {
            int256 v = _at(chunks, i);
            if (int8Output) {
                if (v < -128 || v > 127) return (false, 0);
                data[i] = bytes1(uint8(int8(v)));
            } else {
                bytes4 le = _le32(uint32(int32(v)));
                for (uint256 j = 0; j < 4; ++j) data[4 * i + j] = le[j];
            }
        }
        return (true, TensorHash.hash(int8Output ? 1 : 4, shape, data));
    }

    function _le32(uint32 v) private pure returns (bytes4) {
        return bytes4(((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >> 8) & 0xff00) | (v >> 24));
    }

    function _le32At(bytes calldata b, uint256 i) private pure returns (uint256) {
        return
            uint256(uint8(b[i])) |
            (uint256(uint8(b[i + 1])) << 8) |
            (uint256(uint8(b[i + 2])) << 16) |
            (uint256(uint8(b[i + 3])) << 24);
    }

    /// @dev Every chunk is of the layer's input tensor (or `src` for add), in range, and proven against the trace.
    function _checkInputs(
        bytes calldata header,
        uint256 layers,
        bytes32 traceRoot,
        uint256 k,
        ModelHeaderV2.Layer memory spec,
        TraceChunk[] calldata inputs
    ) private pure {
        for (uint256 i = 0; i < inputs.length; ++i) {
            uint256 t = inputs[i].tensor;
            bool allowed = t == k - 1 || (spec.op == ModelHeaderV2.OP_ADD && t == spec.src);
            if (!allowed || !_chunkProven(header, layers, traceRoot, inputs[i])) {
                revert OneStepBadChunk(t, inputs[i].index);
            }
        }
    }

    function _chunkProven(
        bytes calldata header,
        uint256 layers,
        bytes32 traceRoot,
        TraceChunk calldata c
    ) private pure returns (bool) {
        uint256 chunks = (ModelHeaderV2.tensorSize(header, c.tensor) + CHUNK - 1) / CHUNK;
        return
            c.data.length == CHUNK_BYTES &&
            PositionalMerkle.verify(c.tensorProof, traceRoot, c.tensorRoot, c.tensor, layers + 1) &&
            PositionalMerkle.verify(c.chunkProof, c.tensorRoot, keccak256(c.data), c.index, chunks);
    }

    /// @dev Proves the weight segment of (row of `element`, `segment`) against the model id; returns it.
    function _checkWeights(
        Step calldata step,
        uint256 layers,
        ModelHeaderV2.Layer memory spec,
        uint256 segments
    ) private pure returns (bytes calldata leaf) {
        WeightProof calldata w = step.weights;
        leaf = w.leaf;
        uint256 row;
        uint256 rows;
        uint256 length;
        if (spec.op == ModelHeaderV2.OP_DENSE) {
            (row, rows) = (step.element, spec.outC * spec.outH * spec.outW);
            uint256 fanIn = spec.inC * spec.inH * spec.inW;
            uint256 start = step.segment * CHUNK;
            length = fanIn - start < CHUNK ? fanIn - start : CHUNK;
        } else {
            (row, rows, length) = (step.element / (spec.outH * spec.outW), spec.outC, spec.kernel);
        }
        uint256 leafIndex = row * segments + step.segment;
        if (
            leaf.length != (step.segment == 0 ? 4 : 0) + length ||
            !_weightsProven(w, step.layer, layers, leafIndex, rows * segments)
        ) revert OneStepBadWeights(step.layer, leafIndex);
    }

    /// @dev Whether `w`'s layer root is layer `layer` of the model's weights and its leaf is leaf `leafIndex` of that
    /// layer's `leaves` (its own frame, so the caller's stays shallow).
    function _weightsProven(
        WeightProof calldata w,
        uint256 layer,
        uint256 layers,
        uint256 leafIndex,
        uint256 leaves
    ) private pure returns (bool) {
        return
            PositionalMerkle.verify(w.layerProof, w.weightsRoot, w.layerWeightsRoot, layer, layers + 1) &&
            PositionalMerkle.verify(w.leafProof, w.layerWeightsRoot, keccak256(w.leaf), leafIndex, leaves);
    }

    function _denseDot(Step calldata step, bytes calldata leaf, uint256 head) private pure returns (int256 sum) {
        uint256 start = step.segment * CHUNK;
        uint256 length = leaf.length - head;
        // The segment is exactly one aligned input chunk.
        bytes calldata chunk = _chunk(step.inputs, step.layer - 1, step.segment, start);
        for (uint256 i = 0; i < length; ++i) {
            sum += int256(int8(uint8(leaf[head + i]))) * _at(chunk, i);
        }
    }

    function _convDot(
        Step calldata step,
        ModelHeaderV2.Layer memory spec,
        bytes calldata leaf,
        uint256 head
    ) private pure returns (int256 sum) {
        (bool inside, uint256 rowBase, int256 col0) = _convRow(step.element, step.segment, spec);
        // A kernel row outside [0, inH) reads only padding zeros.
        if (!inside) return 0;
        TraceChunk[] calldata inputs = step.inputs;
        uint256 t = step.layer - 1;
        int256 width = int256(spec.inW);
        for (uint256 kc = 0; kc < spec.kernel; ++kc) {
            int256 ic = col0 + int256(kc);
            if (ic < 0 || ic >= width) continue;
            sum += int256(int8(uint8(leaf[head + kc]))) * _input(inputs, t, rowBase + uint256(ic));
        }
    }

    /// @dev For segment (ci, kr) of output element (o, r, c): whether input row `r·stride + kr - pad` exists, the
    /// flat index of that row's first element, and the first tap's column `c·stride - pad`.
    function _convRow(
        uint256 e,
        uint256 segment,
        ModelHeaderV2.Layer memory spec
    ) private pure returns (bool inside, uint256 rowBase, int256 col0) {
        uint256 r = (e / spec.outW) % spec.outH;
        int256 pad = int256(uint256(spec.pad));
        int256 ir = int256(r * spec.stride + (segment % spec.kernel)) - pad;
        inside = ir >= 0 && ir < int256(spec.inH);
        if (inside) rowBase = (segment / spec.kernel) * spec.inH * spec.inW + uint256(ir) * spec.inW;
        col0 = int256((e % spec.outW) * spec.stride) - pad;
    }

    function _pool(Step calldata step, ModelHeaderV2.Layer memory spec) private pure returns (int256) {
        (int256 best, int256 sum) = _window(step.inputs, step.layer - 1, _windowOrigin(step.element, spec), spec);
        if (spec.op == ModelHeaderV2.OP_MAX_POOL) return best;
        // floor((sum + floor(k²/2)) / k²): Solidity divides toward zero, so step down for a negative inexact quotient.
        int256 kk = int256(uint256(spec.kernel) * spec.kernel);
        int256 num = sum + kk / 2;
        int256 quotient = num / kk;
        if (num % kk != 0 && num < 0) --quotient;
        return quotient;
    }

    /// @dev Flat input index of the top-left element of output element `e`'s pooling window.
    function _windowOrigin(uint256 e, ModelHeaderV2.Layer memory spec) private pure returns (uint256) {
        uint256 r = ((e / spec.outW) % spec.outH) * spec.stride;
        uint256 q = (e % spec.outW) * spec.stride;
        return (e / (spec.outH * spec.outW)) * spec.inH * spec.inW + r * spec.inW + q;
    }

    /// @dev Maximum and sum of the `k × k` window starting at `origin`.
    function _window(
        TraceChunk[] calldata inputs,
        uint256 t,
        uint256 origin,
        ModelHeaderV2.Layer memory spec
    ) private pure returns (int256 best, int256 sum) {
        best = type(int256).min;
        for (uint256 i = 0; i < spec.kernel; ++i) {
            for (uint256 j = 0; j < spec.kernel; ++j) {
                int256 x = _input(inputs, t, origin + i * spec.inW + j);
                if (x > best) best = x;
                sum += x;
            }
        }
    }

    /// @dev The chunk holding element `e` of tensor `t` among the proven inputs.
    function _chunk(
        TraceChunk[] calldata inputs,
        uint256 t,
        uint256 index,
        uint256 e
    ) private pure returns (bytes calldata) {
        for (uint256 i = 0; i < inputs.length; ++i) {
            if (inputs[i].tensor == t && inputs[i].index == index) return inputs[i].data;
        }
        revert OneStepMissingInput(t, e);
    }

    function _input(TraceChunk[] calldata inputs, uint256 t, uint256 e) private pure returns (int256) {
        return _at(_chunk(inputs, t, e / CHUNK, e), e % CHUNK);
    }

    function _at(bytes calldata chunk, uint256 i) private pure returns (int256) {
        return int256(int32(uint32(bytes4(chunk[4 * i:4 * i + 4]))));
    }

    /// @dev Two's-complement wrap to int32.
    function _wrap(int256 v) private pure returns (int256) {
        return int256(int32(uint32(uint256(v))));
    }
}
