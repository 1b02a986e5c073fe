import { describe, expect, it } from "vitest";
import { GatewayError } from "../../errors/gateway-error";
import type { Vendor, VendorKey } from "../../providers/vendor-directory";
import { keyOrder, REFUSED_MS, refuseKey, refusesKey } from "./key-pool";

const key = (id: string, over: Partial<VendorKey> = {}): VendorKey => ({
  id,
  weight: 1,
  encrypted: `v1.${id}`,
  last4: null,
  disabledUntil: null,
  createdAt: null,
  ...over,
});
const vendor = (slug: string, keys: VendorKey[]): Vendor => ({
  slug,
  kind: "openai",
  baseUrl: null,
  enabled: true,
  builtin: false,
  apiKeyEncrypted: null,
  envApiKey: undefined,
  keys,
  createdAt: null,
  updatedAt: null,
});
const refusal = (status: number) =>
  Object.assign(new GatewayError(502, "upstream_error", "upstream_auth_failed", "x"), {
    upstreamStatus: status,
  });

describe("refusesKey", () => {
  it("reads a 401 as a refused key everywhere, a 403 only where the vendor means the key by it", () => {
    expect(refusesKey("openai", refusal(401))).toBe(true);
    expect(refusesKey("openai-compatible", refusal(401))).toBe(true);
    expect(refusesKey("openai", refusal(403))).toBe(false);
    expect(refusesKey("anthropic", refusal(403))).toBe(true);
    expect(refusesKey("gemini", refusal(403))).toBe(true);
    expect(refusesKey("openai", refusal(500))).toBe(false);
    expect(refusesKey("openai", new Error("network"))).toBe(false);
  });
});

describe("keyOrder", () => {
  it("leaves out a key refused in this isolate or on record until its time has passed", () => {
    const now = Date.now();
    const v = vendor("pool-a", [key("a"), key("b"), key("c", { disabledUntil: now + 1000 })]);
    refuseKey("pool-a", "a", now);
    expect(keyOrder(v, null, now).map((k) => k.id)).toEqual(["b"]);
    const later = now + REFUSED_MS + 1;
    expect(
      keyOrder(v, null, later)
        .map((k) => k.id)
        .sort(),
    ).toEqual(["a", "b", "c"]);
  });

  it("tries every key when all were refused: one may have been fixed since", () => {
    const now = Date.now();
    const v = vendor("pool-b", [key("a"), key("b")]);
    refuseKey("pool-b", "a", now);
    refuseKey("pool-b", "b", now);
    expect(
      keyOrder(v, null, now)
        .map((k) => k.id)
        .sort(),
    ).toEqual(["a", "b"]);
  });

  it("keeps a session on its key", () => {
    const v = vendor("pool-c", [key("a"), key("b"), key("c")]);
    const first = keyOrder(v, "session-9")[0]?.id;
    for (let i = 0; i < 20; i++) expect(keyOrder(v, "session-9")[0]?.id).toBe(first);
  });
});
