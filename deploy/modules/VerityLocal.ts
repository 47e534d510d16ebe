import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { buildVerityCore } from "./VerityCore";

/** The whole system with a freshly deployed test token: for the local chain and testnets. */
export const VerityLocal = buildModule("VerityLocal", (m) => {
  const token = m.contract("VerityTestToken", [m.getAccount(0)]);
  return { token, ...buildVerityCore(m, token) };
});
