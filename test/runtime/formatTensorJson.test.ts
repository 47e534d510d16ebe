import { expect } from "chai";
import fc from "fast-check";
import { decodeTensor, getTensorHash, tensorDtypes, tensorDtypeSizes, type TensorDtype } from "../../src/protocol";
import { formatPayloadJson, formatTensorJson, parseTensorJson, type TensorJson } from "../../src/runtime";

/** A tensor of `dtype` and `count` elements whose data are the given raw bytes (any bit pattern, as a model may emit). */
function tensorFromBytes(dtype: TensorDtype, count: number, bytes: Uint8Array) {
  const header = new Uint8Array(7);
  header[0] = 1;
  header[1] = tensorDtypes[dtype];
  header[2] = 1;
  new DataView(header.buffer).setUint32(3, count, true);
  const data = dtype === "bool" ? bytes.map((b) => b & 1) : bytes;
  return decodeTensor(new Uint8Array([...header, ...data]));
}

/** Whether element `index` is a NaN: written "NaN", it reads back as the canonical NaN, so its hash may differ. */
function isNaNBits(dtype: TensorDtype, bytes: Uint8Array, index: number): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  if (dtype === "float32") return Number.isNaN(view.getFloat32(index * 4, true));
  if (dtype === "float64") return Number.isNaN(view.getFloat64(index * 8, true));
  if (dtype === "float16") return (view.getUint16(index * 2, true) & 0x7fff) > 0x7c00;
  return false;
}

describe("formatTensorJson", function () {
  it("writes every dtype so that parseTensorJson, through JSON text, reads back the same hash (NaN aside)", function () {
    const dtype = fc.constantFrom(...(Object.keys(tensorDtypes) as TensorDtype[]));
    const tensor = dtype.chain((d) =>
      fc.integer({ min: 0, max: 12 }).chain((count) =>
        fc
          .uint8Array({ minLength: count * tensorDtypeSizes[d], maxLength: count * tensorDtypeSizes[d] })
          .map((bytes) => ({
            d,
            count,
            bytes,
          })),
      ),
    );
    fc.assert(
      fc.property(tensor, ({ d, count, bytes }) => {
        const original = tensorFromBytes(d, count, bytes);
        const text = JSON.stringify(formatTensorJson(original));
        const read = parseTensorJson(JSON.parse(text) as TensorJson, "output");
        const hasNaN = Array.from({ length: count }, (_, i) => isNaNBits(d, bytes, i)).some(Boolean);
        if (!hasNaN) expect(getTensorHash(read), text).to.equal(getTensorHash(original));
        expect(text, "no null for a non-finite float").to.not.contain("null");
      }),
      { numRuns: 300 },
    );
  });

  it("writes non-finite floats and negative zero as the words parseTensorJson reads", function () {
    const values = [Infinity, -Infinity, NaN, -0, 0];
    const tensor = tensorFromBytes("float64", 5, new Uint8Array(new Float64Array(values).buffer));
    expect(formatTensorJson(tensor).data).to.deep.equal(["Infinity", "-Infinity", "NaN", "-0", 0]);
    for (const dtype of ["float16", "float32"] as const) {
      const bits = dtype === "float16" ? new Uint16Array([0x8000]) : new Float32Array([-0]);
      const negativeZero = tensorFromBytes(dtype, 1, new Uint8Array(bits.buffer));
      const read = parseTensorJson(JSON.parse(JSON.stringify(formatTensorJson(negativeZero))) as TensorJson, "output");
      expect(getTensorHash(read), dtype).to.equal(getTensorHash(negativeZero));
    }
  });

  it("writes one unnamed tensor as { output } and a bundle as { outputs }", function () {
    const tensor = tensorFromBytes("int8", 2, new Uint8Array([1, 255]));
    expect(formatPayloadJson(tensor)).to.deep.equal({ output: { dtype: "int8", shape: [2], data: [1, -1] } });
    expect(formatPayloadJson({ tensors: { logits: tensor } } as never)).to.deep.equal({
      outputs: { logits: { dtype: "int8", shape: [2], data: [1, -1] } },
    });
  });
});
