import { createTensor, getTensorSize, tensorDtypes, type Tensor, type TensorDtype } from "../../protocol";
import { InputValidationError } from "../errors";
import { toFloat16Bits } from "./float16";

/** A tensor as JSON: `{dtype, shape, data}`; int64 elements may be decimal strings, bools `true`/`false`. */
export interface TensorJson {
  dtype: string;
  shape: number[];
  data: (number | string | boolean)[];
}

const INTEGER_RANGES: Partial<Record<TensorDtype, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const FLOAT_WORDS: Record<string, number> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity, "-0": -0 };
const DECIMAL = /^-?(0|[1-9][0-9]*)$/;

/**
 * Builds a tensor from its JSON form, checking every element against the dtype. Floats may be written `"NaN"`,
 * `"Infinity"`, `"-Infinity"` and `"-0"` (whether the model accepts them is the signature's business); float16 values are
 * rounded to the nearest binary16. Throws {@link InputValidationError} naming the tensor (`label`) and element.
 */
export function parseTensorJson(json: TensorJson, label: string): Tensor {
  const fail = (message: string) => new InputValidationError([`${label}: ${message}`]);
  if (!Object.hasOwn(tensorDtypes, json.dtype)) {
    throw fail(`unknown dtype "${json.dtype}" (one of ${Object.keys(tensorDtypes).join(", ")})`);
  }
  const dtype = json.dtype as TensorDtype;
  if (!Array.isArray(json.shape) || json.shape.some((d) => !Number.isInteger(d) || d < 0 || d > 0xffffffff)) {
    throw fail(`shape must be a list of uint32, got ${JSON.stringify(json.shape)}`);
  }
  if (!Array.isArray(json.data)) throw fail("data must be a list");
  const size = getTensorSize(json.shape);
  if (json.data.length !== size) {
    throw fail(`shape [${json.shape.join(",")}] holds ${size} elements, data has ${json.data.length}`);
  }
  const at = (i: number) => `data[${i}]`;
  switch (dtype) {
    case "int64":
      return createTensor(
        "int64",
        json.shape,
        json.data.map((v, i) => {
          if (typeof v === "number" ? !Number.isSafeInteger(v) : typeof v !== "string" || !DECIMAL.test(v)) {
            throw fail(`${at(i)} is not an int64 (an integer, or a decimal string beyond 2^53): ${JSON.stringify(v)}`);
          }
          const big = BigInt(v);
          if (big < INT64_MIN || big > INT64_MAX) throw fail(`${at(i)} is out of the int64 range: ${v}`);
          return big;
        }),
      );
    case "bool":
      return createTensor(
        "bool",
        json.shape,
        json.data.map((v, i) => {
          if (v === true || v === 1) return 1;
          if (v === false || v === 0) return 0;
          throw fail(`${at(i)} is not a bool (true, false, 1 or 0): ${JSON.stringify(v)}`);
        }),
      );
    case "float16":
    case "float32":
    case "float64": {
      const values = json.data.map((v, i) => {
        if (typeof v === "number") return v;
        if (typeof v === "string" && v in FLOAT_WORDS) return FLOAT_WORDS[v]!;
        throw fail(`${at(i)} is not a number: ${JSON.stringify(v)}`);
      });
      return dtype === "float16"
        ? createTensor("float16", json.shape, values.map(toFloat16Bits))
        : createTensor(dtype, json.shape, values);
    }
    default: {
      const [min, max] = INTEGER_RANGES[dtype]!;
      return createTensor(
        dtype,
        json.shape,
        json.data.map((v, i) => {
          if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
            throw fail(`${at(i)} is not an ${dtype} (${min}..${max}): ${JSON.stringify(v)}`);
          }
          return v;
        }),
      );
    }
  }
}
