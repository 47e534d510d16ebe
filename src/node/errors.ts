import { BaseError } from "../protocol";

/** An error a route answers with: its HTTP status and the error name clients branch on. */
export class NodeHttpError extends BaseError {
  override name = "NodeHttpError";
  readonly status: 400 | 401 | 404 | 409 | 410 | 503;
  /** The `error` field of the JSON answer (e.g. `InvalidInput`). */
  readonly code: string;
  /** Fields the JSON answer carries beside `error` and `message`, for clients to act on (e.g. the batch in the way). */
  readonly data: Record<string, unknown> | undefined;

  constructor(
    status: 400 | 401 | 404 | 409 | 410 | 503,
    code: string,
    message: string,
    data?: Record<string, unknown>,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.data = data;
  }
}

/** The request body or a parameter is malformed (400). */
export class InvalidRequestError extends NodeHttpError {
  override name = "InvalidRequestError";
  constructor(code: string, message: string) {
    super(400, code, message);
  }
}

/** The thing asked for is not known here (404). */
export class NotFoundError extends NodeHttpError {
  override name = "NotFoundError";
  constructor(code: string, message: string) {
    super(404, code, message);
  }
}

/** The request contradicts what the node already signed (409). */
export class ConflictError extends NodeHttpError {
  override name = "ConflictError";
  constructor(code: string, message: string, data?: Record<string, unknown>) {
    super(409, code, message, data);
  }
}

/** The node cannot start: wrong signer, no model to serve, unreachable chain. The message says what to fix. */
export class NodeStartupError extends BaseError {
  override name = "NodeStartupError";
}
