import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type Account,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

export interface CreateVerityClientsParameters {
  rpcUrl: string;
  chainId: number;
  /** The account that sends transactions; read-only clients without it. */
  account?: Account | undefined;
  /** Retries per RPC call before an error reaches the caller (default 3, with exponential backoff). */
  retryCount?: number;
  /** Polling interval for receipts and events, in milliseconds (default 500). */
  pollingInterval?: number;
}

export interface VerityClients {
  chain: Chain;
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account> | undefined;
}

/** Creates viem clients for one chain, retrying RPC failures with backoff before they surface. */
export function createVerityClients(parameters: CreateVerityClientsParameters): VerityClients {
  const chain = defineChain({
    id: parameters.chainId,
    name: `chain-${parameters.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [parameters.rpcUrl] } },
  });
  const transport = http(parameters.rpcUrl, {
    retryCount: parameters.retryCount ?? 3,
    retryDelay: 250,
    timeout: 20_000,
  });
  const pollingInterval = parameters.pollingInterval ?? 500;
  const publicClient = createPublicClient({ chain, transport, pollingInterval });
  const walletClient = parameters.account
    ? createWalletClient({ chain, transport, account: parameters.account, pollingInterval })
    : undefined;
  return { chain, publicClient, walletClient };
}
