import { expect } from "chai";
import { createTensor } from "../../src/protocol";
import { compareWithTolerance } from "../../src/runtime";

describe("compareWithTolerance", function () {
  const tol = 10n ** 13n; // 1e-5

  it("accepts element-wise differences up to the tolerance, exactly at the boundary", function () {
    // 0.5 and 0.5 + 2^-17 (= 7.62939453125e-6) differ by exactly 7629394531250 * 1e-18.
    const a = createTensor("float32", [2], [0.5, 1]);
    const b = createTensor("float32", [2], [0.5 + 2 ** -17, 1]);
    expect(compareWithTolerance(a, b, 7_629_394_531_250n).ok).to.equal(true);
    expect(compareWithTolerance(a, b, 7_629_394_531_249n).ok).to.equal(false);
    expect(compareWithTolerance(a, b, tol)).to.deep.equal({ ok: true, maxDifference: 2 ** -17 });
  });

  it("reports the first element beyond the tolerance", function () {
    const result = compareWithTolerance(
      createTensor("float32", [3], [1, 2, 3]),
      createTensor("float32", [3], [1, 2.001, 3]),
      tol,
    );
    expect(result.ok).to.equal(false);
    expect(result).to.include({ reason: "difference", index: 1 });
  });

  it("rejects a dtype or shape mismatch and NaN", function () {
    expect(compareWithTolerance(createTensor("float32", [1], [1]), createTensor("float64", [1], [1]), tol)).to.include({
      reason: "dtype",
    });
    expect(
      compareWithTolerance(createTensor("float32", [1, 2], [1, 1]), createTensor("float32", [2], [1, 1]), tol),
    ).to.include({ reason: "shape" });
    expect(
      compareWithTolerance(createTensor("float32", [1], [NaN]), createTensor("float32", [1], [NaN]), tol),
    ).to.include({ reason: "nan" });
  });

  it("with zero tolerance demands equality", function () {
    expect(compareWithTolerance(createTensor("float32", [1], [1]), createTensor("float32", [1], [1]), 0n).ok).to.equal(
      true,
    );
    expect(
      compareWithTolerance(createTensor("float32", [1], [1]), createTensor("float32", [1], [1 + 2 ** -23]), 0n).ok,
    ).to.equal(false);
  });
});
