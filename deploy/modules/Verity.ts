import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { buildVerityCore } from "./VerityCore";
import { buildVerityValidator, type ValidatorPlacement } from "./VerityValidator";

/**
 * The stake token: `"test"` deploys a fresh `VerityTestToken` (local chains, testnets; module `VerityLocal`);
 * `"existing"` stakes the ERC-20 given as the `stakeToken` parameter (module `VerityProduction`).
 */
export type StakeTokenSource = "test" | "existing";

/**
 * The whole system as one Ignition module: the stake token, the core wired together, and the ERC-8004 validator placed
 * as `validator` says. The module id depends on the token only, so a re-run that adds the validator resumes the same
 * deployment, and everything a deployment runs sits in one module of its journal.
 */
export function verityModule(token: StakeTokenSource, validator: ValidatorPlacement) {
  return buildModule(token === "test" ? "VerityLocal" : "VerityProduction", (m) => {
    const stakeToken =
      token === "test"
        ? m.contract("VerityTestToken", [m.getAccount(0)])
        : m.contractAt("IERC20", m.getParameter<string>("stakeToken"));
    const core = buildVerityCore(m, stakeToken);
    return { token: stakeToken, ...core, ...buildVerityValidator(m, core.attestationRegistry, validator) };
  });
}

/** The whole system with a fresh test token and no validator: what the contract tests' fixtures deploy. */
export const VerityLocal = verityModule("test", "none");

/** The whole system staking an existing token (`stakeToken` parameter), no validator: for fixtures over odd tokens. */
export const VerityProduction = verityModule("existing", "none");
