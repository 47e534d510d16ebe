import { expect } from "chai";
import fs from "node:fs";
import net from "node:net";
import { findFreePort } from "../../src/devnet/findFreePort";

describe("findFreePort", function () {
  it("hands out distinct, bindable ports below the kernel's ephemeral range (where no outgoing connection takes them)", async function () {
    const [ephemeralStart] = fs
      .readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim()
      .split(/\s+/)
      .map(Number);
    const ports = await Promise.all(Array.from({ length: 20 }, () => findFreePort()));
    expect(new Set(ports).size).to.equal(ports.length);
    for (const port of ports) {
      expect(port).to.be.at.least(10_000).and.below(ephemeralStart!);
      const server = net.createServer();
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", resolve);
      });
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("skips a port someone is listening on", async function () {
    const taken = await findFreePort();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(taken, "127.0.0.1", resolve));
    try {
      for (let i = 0; i < 30; i++) expect(await findFreePort()).to.not.equal(taken);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
