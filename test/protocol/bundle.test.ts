import { expect } from "chai";
import fc from "fast-check";
import bundleVectors from "../../docs/vectors/bundles.json";
import receiptVectors from "../../docs/vectors/receipts.json";
import tensorVectors from "../../docs/vectors/tensors.json";
import {
  InvalidTensorError,
  bytesToHex,
  createTensor,
  decodePayload,
  decodeTensorBundle,
  encodePayload,
  encodeTensorBundle,
  getPayloadHash,
  getTensorBundleHash,
  getTensorHash,
  hexToBytes,
  isTensorBundle,
  type Tensor,
  type TensorBundle,
} from "../../src/protocol";

/** A hand-made bundle encoding from (name, tensor encoding) pairs, in the given order (for malformed cases). */
function rawBundle(entries: [Uint8Array, Uint8Array][], count = entries.length): Uint8Array {
  const parts: number[] = [2, count & 0xff, count >> 8];
  for (const [name, tensor] of entries) {
    parts.push(name.length, ...name);
    const length = new Uint8Array(new Uint32Array([tensor.length]).buffer);
    parts.push(...length, ...tensor);
  }
  return Uint8Array.from(parts);
}
const name = (s: string) => new TextEncoder().encode(s);
const int8One = hexToBytes("0x010101010000007f");

describe("tensor bundles (docs/protocol.md § Tensor bundles)", function () {
  describe("known-answer vectors (docs/vectors/bundles.json)", function () {
    for (const vector of bundleVectors.bundles) {
      it(`reproduces "${vector.name}"`, function () {
        const decoded = decodeTensorBundle(hexToBytes(vector.encoding as `0x${string}`));
        expect(Object.keys(decoded.tensors)).to.deep.equal(vector.order);
        for (const [key, encoding] of Object.entries(vector.tensors)) {
          expect(bytesToHex(encodePayload(decoded.tensors[key]!))).to.equal(encoding, key);
        }
        expect(bytesToHex(encodeTensorBundle(decoded))).to.equal(vector.encoding);
        expect(getTensorBundleHash(decoded)).to.equal(vector.hash);
        expect(getPayloadHash(decodePayload(hexToBytes(vector.encoding as `0x${string}`)))).to.equal(vector.hash);
      });
    }
  });

  describe("a single unnamed tensor keeps today's hash", function () {
    it("for every tensor vector, the payload hash is the plain tensor hash", function () {
      for (const vector of tensorVectors.tensors) {
        const payload = decodePayload(hexToBytes(vector.encoding as `0x${string}`));
        expect(isTensorBundle(payload)).to.equal(false);
        expect(getPayloadHash(payload)).to.equal(vector.hash, vector.name);
        expect(bytesToHex(encodePayload(payload))).to.equal(vector.encoding, vector.name);
      }
    });
    it("for the inline input and output of the signed receipt vectors", function () {
      const file = JSON.parse(receiptVectors.batch.file) as {
        entries: {
          input: { encoding?: `0x${string}` };
          output: { encoding?: `0x${string}` };
          receipt: { inputHash: string; outputHash: string };
        }[];
      };
      const inline = file.entries.filter((e) => e.input.encoding !== undefined);
      expect(inline.length).to.be.greaterThan(0);
      for (const entry of inline) {
        expect(getPayloadHash(decodePayload(hexToBytes(entry.input.encoding!)))).to.equal(entry.receipt.inputHash);
        expect(getPayloadHash(decodePayload(hexToBytes(entry.output.encoding!)))).to.equal(entry.receipt.outputHash);
      }
    });
    it("one named tensor is a bundle, with a different hash from the same tensor unnamed", function () {
      const x = createTensor("float32", [1, 2], [1, 2]);
      expect(getTensorBundleHash({ tensors: { x } })).to.not.equal(getTensorHash(x));
      expect(getPayloadHash(x)).to.equal(getTensorHash(x));
    });
  });

  it("does not depend on the order of the keys, and round-trips random bundles bit for bit", function () {
    const arbTensor: fc.Arbitrary<Tensor> = fc.oneof(
      fc.array(fc.integer({ min: -128, max: 127 }), { maxLength: 6 }).map((v) => createTensor("int8", [v.length], v)),
      fc
        .array(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), { maxLength: 4 })
        .map((v) => createTensor("int64", [v.length], v)),
      fc.array(fc.float(), { maxLength: 6 }).map((v) => createTensor("float32", [1, v.length], v)),
      fc.array(fc.boolean(), { maxLength: 6 }).map((v) => createTensor("bool", [v.length], v.map(Number))),
      fc
        .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 6 })
        .map((v) => createTensor("float16", [v.length], v)),
    );
    const arbName = fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }).filter((s) => name(s).length <= 255);
    fc.assert(
      fc.property(fc.dictionary(arbName, arbTensor, { minKeys: 1, maxKeys: 5 }), (tensors) => {
        const bundle: TensorBundle = { tensors };
        const reversed: TensorBundle = { tensors: Object.fromEntries(Object.entries(tensors).reverse()) };
        const encoding = encodeTensorBundle(bundle);
        expect(bytesToHex(encodeTensorBundle(reversed))).to.equal(bytesToHex(encoding));
        expect(bytesToHex(encodeTensorBundle(decodeTensorBundle(encoding)))).to.equal(bytesToHex(encoding));
      }),
    );
  });

  describe("rejects", function () {
    const cases: [string, () => unknown, RegExp][] = [
      ["an empty bundle", () => encodeTensorBundle({ tensors: {} }), /at least one tensor/],
      ["an empty name", () => encodeTensorBundle({ tensors: { "": createTensor("int8", [1], [1]) } }), /name is empty/],
      [
        "a name over 255 UTF-8 bytes",
        () => encodeTensorBundle({ tensors: { ["é".repeat(128)]: createTensor("int8", [1], [1]) } }),
        /longer than 255/,
      ],
      [
        "a lone surrogate in a name",
        () => encodeTensorBundle({ tensors: { "a\ud800": createTensor("int8", [1], [1]) } }),
        /well-formed/,
      ],
      [
        "a bad tensor, naming it",
        () => encodeTensorBundle({ tensors: { ids: createTensor("int8", [2], [1]) } }),
        /Tensor "ids": Tensor data length/,
      ],
      [
        "a bool byte other than 0 or 1",
        () => encodeTensorBundle({ tensors: { b: createTensor("bool", [1], [2]) } }),
        /neither 0 nor 1/,
      ],
      ["a zero count", () => decodeTensorBundle(rawBundle([], 0)), /at least one tensor/],
      [
        "names out of order",
        () =>
          decodeTensorBundle(
            rawBundle([
              [name("b"), int8One],
              [name("a"), int8One],
            ]),
          ),
        /ascending/,
      ],
      [
        "a repeated name",
        () =>
          decodeTensorBundle(
            rawBundle([
              [name("a"), int8One],
              [name("a"), int8One],
            ]),
          ),
        /ascending/,
      ],
      ["a name that is not UTF-8", () => decodeTensorBundle(rawBundle([[Uint8Array.of(0xff), int8One]])), /UTF-8/],
      [
        "trailing bytes",
        () => decodeTensorBundle(Uint8Array.from([...rawBundle([[name("a"), int8One]]), 0])),
        /trailing/,
      ],
      [
        "a count larger than the entries",
        () => decodeTensorBundle(rawBundle([[name("a"), int8One]], 2)),
        /ends inside/,
      ],
      [
        "a tensor length past the end",
        () => decodeTensorBundle(rawBundle([[name("a"), int8One]]).subarray(0, 10)),
        /ends inside/,
      ],
      ["an unknown payload version", () => decodePayload(Uint8Array.of(3, 0, 0)), /version byte 3/],
    ];
    for (const [label, run, message] of cases) {
      it(label, function () {
        expect(run).to.throw(InvalidTensorError, message);
      });
    }
  });
});
