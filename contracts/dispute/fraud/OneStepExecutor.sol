// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOneStepExecutor} from "../../interfaces/IOneStepExecutor.sol";
import {ModelHeaderV2} from "../../libraries/ModelHeaderV2.sol";
import {PositionalMerkle} from "../../libraries/PositionalMerkle.sol";

/// @title One-step executor (integer runtime v2)
/// @notice See {IOneStepExecutor}. Stateless; the element rules are those of `src/runtime/integerV2/ops.ts`.
contract OneStepExecutor is IOneStepExecutor {
    uint256 private constant CHUNK = 32;
    uint256 private constant CHUNK_BYTES = 128;

    /// @inheritdoc IOneStepExecutor
    function execute(bytes32 modelId, bytes32 traceRoot, Step calldata step) external pure returns (int256 value) {
        bytes calldata header = step.weights.header;
        uint256 layers = ModelHeaderV2.check(header, step.weights.weightsRoot, modelId);
        uint256 k = step.layer;
        if (k == 0 || k > layers) revert OneStepLayerOutOfRange(k, layers);
        ModelHeaderV2.Layer memory l = ModelHeaderV2.layer(header, k);
        uint256 size = l.outC * l.outH * l.outW;
        if (step.element >= size) revert OneStepElementOutOfRange(step.element, size);
        uint256 segments = ModelHeaderV2.segmentCount(l);
        if (step.segment >= segments) revert OneStepSegmentOutOfRange(step.segment, segments);
        _checkInputs(header, layers, traceRoot, k, l, step.inputs);

        uint8 op = l.op;
        if (op == ModelHeaderV2.OP_DENSE || op == ModelHeaderV2.OP_CONV2D) {
            bytes calldata leaf = _checkWeights(step, layers, l, segments);
            int256 sum = step.segment == 0 ? int256(int32(uint32(bytes4(leaf[0:4])))) : int256(0);
            uint256 head = step.segment == 0 ? 4 : 0;
            sum += op == ModelHeaderV2.OP_DENSE ? _denseDot(step, leaf, head) : _convDot(step, l, leaf, head);
            return _wrap(step.accIn + sum);
        }
        uint256 e = step.element;
        if (op == ModelHeaderV2.OP_MAX_POOL || op == ModelHeaderV2.OP_AVG_POOL) return _pool(step, l);
        int256 x = _input(step.inputs, k - 1, e);
        if (op == ModelHeaderV2.OP_FLATTEN) return x;
        if (op == ModelHeaderV2.OP_RELU) return x < 0 ? int256(0) : x;
        if (op == ModelHeaderV2.OP_ADD) return _wrap(x + _input(step.inputs, l.src, e));
        if (op == ModelHeaderV2.OP_REQUANTIZE) {
            // floor((x·M + 2^(s-1)) / 2^s): `>>` on a signed integer is an arithmetic shift, i.e. floor division.
            int256 y = (x * int256(uint256(l.multiplier)) + int256(1 << (l.shift - 1))) >> l.shift;
            return y < -128 ? int256(-128) : (y > 127 ? int256(127) : y);
        }
        revert OneStepUnknownOp(op);
    }

    /// @dev Every chunk is of the layer's input tensor (or `src` for add), in range, and proven against the trace.
    function _checkInputs(
        bytes calldata header,
        uint256 layers,
        bytes32 traceRoot,
        uint256 k,
        ModelHeaderV2.Layer memory l,
        TraceChunk[] calldata inputs
    ) private pure {
        for (uint256 i = 0; i < inputs.length; ++i) {
            uint256 t = inputs[i].tensor;
            bool allowed = t == k - 1 || (l.op == ModelHeaderV2.OP_ADD && t == l.src);
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
        ModelHeaderV2.Layer memory l,
        uint256 segments
    ) private pure returns (bytes calldata leaf) {
        WeightProof calldata w = step.weights;
        leaf = w.leaf;
        uint256 row;
        uint256 rows;
        uint256 length;
        if (l.op == ModelHeaderV2.OP_DENSE) {
            (row, rows) = (step.element, l.outC * l.outH * l.outW);
            uint256 fanIn = l.inC * l.inH * l.inW;
            uint256 start = step.segment * CHUNK;
            length = fanIn - start < CHUNK ? fanIn - start : CHUNK;
        } else {
            (row, rows, length) = (step.element / (l.outH * l.outW), l.outC, l.kernel);
        }
        uint256 leafIndex = row * segments + step.segment;
        if (
            leaf.length != (step.segment == 0 ? 4 : 0) + length ||
            !PositionalMerkle.verify(w.layerProof, w.weightsRoot, w.layerWeightsRoot, step.layer, layers + 1) ||
            !PositionalMerkle.verify(w.leafProof, w.layerWeightsRoot, keccak256(leaf), leafIndex, rows * segments)
        ) revert OneStepBadWeights(step.layer, leafIndex);
    }

    function _denseDot(
        Step calldata step,
        bytes calldata leaf,
        uint256 head
    ) private pure returns (int256 sum) {
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
        ModelHeaderV2.Layer memory l,
        bytes calldata leaf,
        uint256 head
    ) private pure returns (int256 sum) {
        (bool inside, uint256 rowBase, int256 col0) = _convRow(step.element, step.segment, l);
        // A kernel row outside [0, inH) reads only padding zeros.
        if (!inside) return 0;
        TraceChunk[] calldata inputs = step.inputs;
        uint256 t = step.layer - 1;
        int256 width = int256(l.inW);
        for (uint256 kc = 0; kc < l.kernel; ++kc) {
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
        ModelHeaderV2.Layer memory l
    ) private pure returns (bool inside, uint256 rowBase, int256 col0) {
        uint256 r = (e / l.outW) % l.outH;
        int256 pad = int256(uint256(l.pad));
        int256 ir = int256(r * l.stride + (segment % l.kernel)) - pad;
        inside = ir >= 0 && ir < int256(l.inH);
        if (inside) rowBase = (segment / l.kernel) * l.inH * l.inW + uint256(ir) * l.inW;
        col0 = int256((e % l.outW) * l.stride) - pad;
    }

    function _pool(Step calldata step, ModelHeaderV2.Layer memory l) private pure returns (int256) {
        (int256 best, int256 sum) = _window(step.inputs, step.layer - 1, _windowOrigin(step.element, l), l);
        if (l.op == ModelHeaderV2.OP_MAX_POOL) return best;
        // floor((sum + floor(k²/2)) / k²): Solidity divides toward zero, so step down for a negative inexact quotient.
        int256 kk = int256(uint256(l.kernel) * l.kernel);
        int256 num = sum + kk / 2;
        int256 quotient = num / kk;
        if (num % kk != 0 && num < 0) --quotient;
        return quotient;
    }

    /// @dev Flat input index of the top-left element of output element `e`'s pooling window.
    function _windowOrigin(uint256 e, ModelHeaderV2.Layer memory l) private pure returns (uint256) {
        uint256 r = ((e / l.outW) % l.outH) * l.stride;
        uint256 q = (e % l.outW) * l.stride;
        return (e / (l.outH * l.outW)) * l.inH * l.inW + r * l.inW + q;
    }

    /// @dev Maximum and sum of the `k × k` window starting at `origin`.
    function _window(
        TraceChunk[] calldata inputs,
        uint256 t,
        uint256 origin,
        ModelHeaderV2.Layer memory l
    ) private pure returns (int256 best, int256 sum) {
        best = type(int256).min;
        for (uint256 i = 0; i < l.kernel; ++i) {
            for (uint256 j = 0; j < l.kernel; ++j) {
                int256 x = _input(inputs, t, origin + i * l.inW + j);
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
