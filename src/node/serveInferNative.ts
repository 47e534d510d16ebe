import type { IncomingMessage, ServerResponse } from "node:http";
import { readRequestText, writeJson, type NativeRoute } from "../service/nativeRoute";
import type { NodeContext } from "./context";
import { bodyTooLargeAnswer, parseJsonBody, toErrorAnswer, type InferHandler } from "./handleInfer";

const PATH = "/v1/infer";

/**
 * `POST /v1/infer` on Node's own HTTP parser (the node's hot route): the same {@link InferHandler}, body limit, error
 * answers and headers as the Hono route in src/node/createNodeApp.ts, without building web `Request`/`Response`
 * objects for each request.
 */
export function createInferNativeRoute(
  infer: InferHandler,
  context: Pick<NodeContext, "logger">,
  maxBodyBytes: number,
): NativeRoute {
  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    let status = 200;
    let body: unknown;
    try {
      const text = await readRequestText(request, maxBodyBytes);
      if (text === undefined) ({ status, body } = bodyTooLargeAnswer(maxBodyBytes));
      else body = await infer(parseJsonBody(text));
    } catch (error) {
      ({ status, body } = toErrorAnswer(error, context, PATH));
    }
    writeJson(response, status, body);
  };
  return { method: "POST", path: PATH, handle: (request, response) => void answer(request, response) };
}
