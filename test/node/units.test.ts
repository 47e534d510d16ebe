import { expect } from "chai";
import { createTensor, type Tensor } from "../../src/protocol";
import { corruptOutput, isDishonestRequest } from "../../src/node/corruptOutput";
import { createLoop } from "../../src/service/createLoop";
import { fetchInput, InputUnavailableError, toDataUri } from "../../src/node/fetchInput";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("node service parts", function () {
  describe("createLoop", function () {
    it("runs the next step at once when woken during a step, and not before its delay otherwise", async function () {
      const starts: number[] = [];
      let release: () => void = () => {};
      const loop = createLoop(
        async () => {
          starts.push(Date.now());
          if (starts.length === 1) await new Promise<void>((resolve) => (release = resolve));
          return { delayMs: 10_000 };
        },
        () => {},
      );
      await sleep(20);
      loop.wake();
      release();
      await sleep(50);
      expect(starts.length, "woken during the first step").to.equal(2);
      await sleep(100);
      expect(starts.length, "then sleeps its delay").to.equal(2);
      loop.wake();
      await sleep(20);
      expect(starts.length, "woken while sleeping").to.equal(3);
      await loop.stop();
    });

    it("ignores wake-ups while backing off, and retries a throwing step after the error delay", async function () {
      let steps = 0;
      const errors: unknown[] = [];
      const loop = createLoop(
        async () => {
          steps++;
          if (steps === 1) throw new Error("boom");
          return { delayMs: 10_000, backoff: true };
        },
        (error) => errors.push(error),
        30,
      );
      await sleep(80);
      expect(steps).to.equal(2);
      expect(errors.map(String)).to.deep.equal(["Error: boom"]);
      loop.wake();
      await sleep(30);
      expect(steps, "backing off").to.equal(2);
      await loop.stop();
    });
  });

  describe("dishonest mode", function () {
    it("chooses requests deterministically, none at share 0 and all at share 1", function () {
      const ids = Array.from({ length: 200 }, (_, i) => `0x${i.toString(16).padStart(64, "0")}` as const);
      const chosen = ids.filter((id) => isDishonestRequest(id, 0.25)).length;
      expect(chosen).to.be.within(30, 70);
      expect(ids.filter((id) => isDishonestRequest(id, 0.25)).length).to.equal(chosen);
      expect(ids.some((id) => isDishonestRequest(id, 0))).to.equal(false);
      expect(ids.every((id) => isDishonestRequest(id, 1))).to.equal(true);
    });

    it("changes the first element of every dtype, wrapping integers", function () {
      const values = (tensor: Tensor) => Array.from(tensor.data as ArrayLike<number | bigint>);
      expect(values(corruptOutput(createTensor("int8", [2], [127, 5])))).to.deep.equal([-128, 5]);
      expect(values(corruptOutput(createTensor("int32", [1], [2])))).to.deep.equal([3]);
      expect(values(corruptOutput(createTensor("float32", [2], [0.5, 1])))).to.deep.equal([1.5, 1]);
      expect(values(corruptOutput(createTensor("int64", [1], [(1n << 63n) - 1n])))).to.deep.equal([-(1n << 63n)]);
      const empty = createTensor("float32", [0], []);
      expect(corruptOutput(empty)).to.equal(empty);
    });
  });

  describe("fetchInput", function () {
    it("reads base64 data: URIs and rejects other forms as not retryable", async function () {
      const bytes = new Uint8Array([1, 6, 1, 2, 0, 0, 0]);
      expect(Array.from(await fetchInput(toDataUri(bytes)))).to.deep.equal(Array.from(bytes));
      for (const uri of ["data:text/plain,hello", "data:;base64,@@@", "ipfs://x", "data:nocomma"]) {
        const error = await fetchInput(uri).catch((e: unknown) => e);
        expect(error, uri).to.be.instanceOf(InputUnavailableError);
        expect((error as InputUnavailableError).retryable, uri).to.equal(false);
      }
      const tooLarge = await fetchInput(toDataUri(new Uint8Array(64)), { maxBytes: 10 }).catch((e: unknown) => e);
      expect((tooLarge as Error).message).to.contain("larger than 10 bytes");
      const unreachable = await fetchInput("http://127.0.0.1:9/input", { timeoutMs: 2_000 }).catch((e: unknown) => e);
      expect((unreachable as InputUnavailableError).retryable).to.equal(true);
    });
  });
});
