import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { buildVerityCore } from "./VerityCore";

/** The whole system staking an existing ERC-20, given as the `stakeToken` parameter. */
export const VerityProduction = buildModule("VerityProduction", (m) => {
  const token = m.contractAt("IERC20", m.getParameter<string>("stakeToken"));
  return { token, ...buildVerityCore(m, token) };
});
