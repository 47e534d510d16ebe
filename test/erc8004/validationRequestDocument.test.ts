import { expect } from "chai";
import type { Hex } from "viem";
import {
  InvalidValidationRequestError,
  VALIDATION_REQUEST_DOCUMENT_TYPE,
  parseValidationRequestUri,
  toValidationRequestUri,
} from "../../src/protocol";
import type { ValidationRequestDocument } from "../../src/protocol";

const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;

const DOCUMENT: ValidationRequestDocument = {
  type: VALIDATION_REQUEST_DOCUMENT_TYPE,
  chainId: 31337,
  validator: "0x00000000000000000000000000000000000000aa",
  agentId: 12345678901234567890n,
  receipt: {
    requestId: hash(1),
    modelId: hash(2),
    inputHash: hash(3),
    outputHash: hash(4),
    traceRoot: hash(0),
    node: "0x00000000000000000000000000000000000000bb",
    issuedAt: 1_767_225_600n,
  },
  batchId: hash(5),
  proof: [hash(6), hash(7)],
  salt: hash(8),
};

describe("validation request documents (requestURI)", function () {
  it("round-trip through a data: URI, big integers included", function () {
    const uri = toValidationRequestUri(DOCUMENT);
    expect(uri.startsWith("data:application/json;base64,")).to.equal(true);
    expect(parseValidationRequestUri(uri)).to.deep.equal(DOCUMENT);
  });

  it("refuse other URIs, other document types and malformed fields, saying which", function () {
    const encode = (value: unknown) =>
      `data:application/json;base64,${Buffer.from(JSON.stringify(value)).toString("base64")}`;
    const plain = JSON.parse(JSON.stringify(DOCUMENT, (_, v: unknown) => (typeof v === "bigint" ? `${v}` : v))) as {
      [key: string]: unknown;
    };
    const cases: [string, RegExp][] = [
      ["ipfs://bafy", /Not a Verity validation request URI/],
      ["data:application/json;base64,!!!", /holds no JSON/],
      [encode({ ...plain, type: "other" }), /type/],
      [encode({ ...plain, salt: "0x12" }), /salt/],
      [encode({ ...plain, agentId: 7 }), /agentId/],
      [encode({ ...plain, extra: true }), /Unrecognized key/],
    ];
    for (const [uri, message] of cases) {
      expect(() => parseValidationRequestUri(uri))
        .to.throw(InvalidValidationRequestError)
        .with.property("message")
        .that.matches(message);
    }
  });
});
