import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { CHALLENGE_WINDOW, DEFAULT_PARAMETERS, DisputeState, ReceiptState, Verdict } from "../fixtures/dispute";
import { Answer, RESPONSES, ValidatorHelper, deployValidatorFixture } from "../fixtures/erc8004";
import type { FiledRequest } from "../fixtures/erc8004";
import { hashReceipt } from "../helpers/receipts";
import { propertyRuns } from "../helpers/propertyRuns";

type Action =
  | { kind: "push"; by: 0 | 1 | 2 }
  | { kind: "wait"; seconds: bigint }
  | { kind: "challenge" }
  | { kind: "decide"; verdict: Verdict | undefined };

const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant("push" as const), by: fc.constantFrom(0 as const, 1 as const, 2 as const) }),
  fc.record({ kind: fc.constant("wait" as const), seconds: fc.bigInt({ min: 1n, max: 2n * CHALLENGE_WINDOW }) }),
  fc.record({ kind: fc.constant("challenge" as const) }),
  fc.record({
    kind: fc.constant("decide" as const),
    verdict: fc.constantFrom(undefined, Verdict.NodeRight, Verdict.NodeWrong, Verdict.NodeWrong),
  }),
);

/** `a ≤ b` in the answer lattice: None < Soft < Final, None < Soft < Rejected. */
function below(a: Answer, b: Answer): boolean {
  return a === b || a === Answer.None || (a === Answer.Soft && (b === Answer.Final || b === Answer.Rejected));
}

function answerOfResponse(response: bigint, tag: string): Answer {
  const found = [Answer.Soft, Answer.Final, Answer.Rejected].find(
    (a) => RESPONSES[a].response === response && RESPONSES[a].tag === tag,
  );
  if (found === undefined) throw new Error(`unexpected response ${response} "${tag}"`);
  return found;
}

describe("VerityValidator (property)", function () {
  it("answers only what the attestation registry says, and never regresses, whoever pushes whenever", async function () {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(actionArbitrary, { minLength: 1, maxLength: 10 }),
        async (asLeaf, actions) => {
          const f = await loadFixture(deployValidatorFixture);
          const v = new ValidatorHelper(f);
          const pushers = [f.pusher, f.accomplice, f.keeper];
          const request: FiledRequest = await v.request(asLeaf ? await v.leaf(3, 1) : await v.single());
          const receiptHash = hashReceipt(request.receipt);
          let dispute: bigint | undefined;

          /** What the registry's own views say the answer is now (the model of `currentAnswer`). */
          const truth = async (): Promise<Answer> => {
            if ((await f.attestation.receiptState(receiptHash)) === BigInt(ReceiptState.Rejected)) {
              return Answer.Rejected;
            }
            return (await f.attestation.isFinal(request.receipt, request.batchId, request.proof))
              ? Answer.Final
              : Answer.Soft;
          };

          let previousTruth = await truth();
          for (const action of actions) {
            const pushed = Number(await f.validator.answerOf(request.requestHash)) as Answer;
            if (action.kind === "push") {
              const now = await truth();
              const tx = v.update(request, pushers[action.by]);
              if (now === pushed) {
                await expect(tx)
                  .to.be.revertedWithCustomError(f.validator, "ValidatorAnswerUnchanged")
                  .withArgs(request.requestHash, pushed);
              } else {
                await expect(tx).to.emit(f.validator, "AnswerUpdated");
                expect(await f.validator.answerOf(request.requestHash)).to.equal(now);
              }
            } else if (action.kind === "wait") {
              await time.increase(action.seconds);
            } else if (action.kind === "challenge") {
              try {
                dispute = await v.challenge(request);
              } catch {
                // Window closed, or a dispute open or decided: the registry refuses, nothing changes.
              }
            } else if (dispute !== undefined) {
              await settle(dispute, action.verdict);
              dispute = undefined;
            }
            const now = await truth();
            expect(below(previousTruth, now), `chain answer moved ${previousTruth} → ${now}`).to.equal(true);
            const after = Number(await f.validator.answerOf(request.requestHash)) as Answer;
            expect(below(after, now), `pushed ${after} but the chain says ${now}`).to.equal(true);
            previousTruth = now;
          }

          // Whatever happened, one more push brings the registry to the truth (or there is nothing to push).
          const now = await truth();
          if (Number(await f.validator.answerOf(request.requestHash)) !== now) await v.update(request);
          expect(await f.validator.currentAnswer(request.receipt, request.batchId, request.proof)).to.equal(now);
          expect(await f.validator.answerOf(request.requestHash)).to.equal(now);

          // The registry's history of responses climbs the lattice strictly.
          const events = await f.registry.queryFilter(
            f.registry.filters.ValidationResponse(undefined, undefined, request.requestHash),
          );
          const history = events.map((e) => answerOfResponse(e.args.response, e.args.tag));
          for (let i = 1; i < history.length; ++i) {
            expect(history[i] !== history[i - 1] && below(history[i - 1], history[i]), `history ${history}`).to.equal(
              true,
            );
          }
          expect(history.at(-1)).to.equal(now);

          /** Drives dispute `id` to its end: committee votes of `verdict` (none: silence, then arbitration or expiry). */
          async function settle(id: bigint, verdict: Verdict | undefined) {
            let state = Number(await f.manager.state(id));
            if (state === DisputeState.Drawing) {
              await v.disputes.draw(id);
              state = Number(await f.manager.state(id));
            }
            if (state === DisputeState.Committing) {
              await v.disputes.vote(id, [verdict, verdict, verdict]);
              state = Number(await f.manager.state(id));
            }
            if (state === DisputeState.Arbitration) {
              if (verdict === undefined) await time.increase(DEFAULT_PARAMETERS.arbitrationPeriod + 1n);
              else await f.manager.connect(f.arbitrator).arbitrate(id, verdict === Verdict.NodeWrong);
              state = Number(await f.manager.state(id));
            }
            if (state === DisputeState.Resolvable || state === DisputeState.Expired) await f.manager.resolve(id);
          }
        },
      ),
      { numRuns: propertyRuns(25) },
    );
  });
});
