export * from "./format";
export * from "./ops";
export * from "./modelCommitment";
export * from "./trace";
export * from "./runIntegerModelV2";
export * from "./createIntegerRuntimeV2";
export * from "./fraudProofs";
export * from "./traceFile";
