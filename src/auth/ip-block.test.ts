import { describe, expect, it } from "vitest";
import { clientKey } from "./ip-block";

describe("clientKey", () => {
  it("counts an IPv4 address as itself", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
  });

  it("counts IPv6 addresses by their /64, however they are written", () => {
    const key = "2001:db8:85a3:0::/64";
    expect(clientKey("2001:db8:85a3::8a2e:370:7334")).toBe(key);
    expect(clientKey("2001:0DB8:85A3:0000:1111:8a2e:0370:7334")).toBe(key);
    expect(clientKey("2001:db8:85a3:0:ffff::1")).toBe(key);
    expect(clientKey("2001:db8:85a3:1::1")).toBe("2001:db8:85a3:1::/64");
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
  });

  it("counts an IPv4-mapped address as the IPv4 address", () => {
    expect(clientKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("counts what does not parse as itself", () => {
    expect(clientKey("2001:db8::1::2")).toBe("2001:db8::1::2");
    expect(clientKey("zz:1:2:3::")).toBe("zz:1:2:3::");
    expect(clientKey("fe80::")).toBe("fe80:0:0:0::/64");
  });
});
