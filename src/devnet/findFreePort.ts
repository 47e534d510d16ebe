import fs from "node:fs";
import net from "node:net";

/** Below the kernel's ephemeral range, so no outgoing connection takes the port between asking and binding. */
const LOWEST_PORT = 10_000;
/** Linux's default ephemeral range starts here; `/proc/sys/net/ipv4/ip_local_port_range` says where it really does. */
const DEFAULT_EPHEMERAL_START = 32_768;
const ATTEMPTS = 50;

/** Ports this process handed out: never handed out twice, even once the caller has closed its server. */
const handedOut = new Set<number>();

/**
 * Finds a free TCP port on 127.0.0.1 for a server the caller starts soon after. The port is drawn at random below the
 * kernel's ephemeral range: a port from the OS's own `listen(0)` pick lies inside that range, where any outgoing
 * connection (an RPC client, a fetch, another test worker) may take it as its local port before the caller binds,
 * which showed as EADDRINUSE under parallel tests. Falls back to the OS's pick if nothing below is free.
 */
export async function findFreePort(): Promise<number> {
  const highest = ephemeralStart() - 1;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = LOWEST_PORT + Math.floor(Math.random() * (highest - LOWEST_PORT + 1));
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  const port = await listenOnce(0);
  handedOut.add(port);
  return port;
}

function ephemeralStart(): number {
  try {
    const [start] = fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    return start !== undefined && Number.isInteger(start) && start > LOWEST_PORT + 1_000
      ? start
      : DEFAULT_EPHEMERAL_START;
  } catch {
    return DEFAULT_EPHEMERAL_START;
  }
}

function canListen(port: number): Promise<boolean> {
  return listenOnce(port).then(
    () => true,
    () => false,
  );
}

/** Listens on `port` (0: the OS picks), closes again, and resolves with the port that was bound. */
function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const bound = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(bound));
    });
  });
}
