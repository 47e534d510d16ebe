// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721URIStorage} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721URIStorage.sol";

/// @title ERC-8004 identity registry, test implementation
/// @notice TEST ONLY. The part of the ERC-8004 Identity Registry (reference contracts `erc-8004/erc-8004-contracts`
/// v2.0.0) that the Validation Registry relies on: an ERC-721 with URI storage whose token ids are agent ids, minted to
/// the caller by `register`. No metadata, no agent wallet.
contract IdentityRegistryForTests is ERC721URIStorage {
    uint256 private _nextId;

    /// @notice An agent was registered.
    event Registered(uint256 indexed agentId, string agentURI, address indexed owner);

    constructor() ERC721("ERC-8004 agents (test)", "AGENT") {}

    /// @notice Mints the next agent id to the caller with registration file `agentURI`.
    function register(string calldata agentURI) external returns (uint256 agentId) {
        agentId = _nextId++;
        _safeMint(msg.sender, agentId);
        _setTokenURI(agentId, agentURI);
        emit Registered(agentId, agentURI, msg.sender);
    }
}
