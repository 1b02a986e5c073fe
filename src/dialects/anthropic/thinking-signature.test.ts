import { describe, expect, it } from "vitest";
import { gatewaySignature, signatureOrigin, withoutGatewayThinking } from "./thinking-signature";

const ANTHROPIC_SIGNATURE = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds+/=";

describe("gatewaySignature", () => {
  it("is a short versioned token that names the vendor and model, read back by signatureOrigin", () => {
    const origin = { vendor: "gemini", model: "gemini-2.5-flash" };
    const signature = gatewaySignature(origin);
    expect(signature).toMatch(/^sb1\.[A-Za-z0-9_-]+$/);
    expect(signature.length).toBeLessThan(100);
    expect(signatureOrigin(signature)).toEqual(origin);
    const odd = { vendor: "my-host", model: 'org/Qwen3 "32B" ü' };
    expect(signatureOrigin(gatewaySignature(odd))).toEqual(odd);
  });

  it("reads no origin from Anthropic's signatures or garbled ones", () => {
    expect(signatureOrigin(ANTHROPIC_SIGNATURE)).toBeNull();
    expect(signatureOrigin("")).toBeNull();
    expect(signatureOrigin("sb1.")).toBeNull();
    expect(signatureOrigin("sb1.!!!")).toBeNull();
    expect(signatureOrigin(`sb1.${btoa('{"vendor":1,"model":"m"}')}`)).toBeNull();
    expect(signatureOrigin(`sb1.${btoa("null")}`)).toBeNull();
  });
});

describe("withoutGatewayThinking", () => {
  const ours = {
    type: "thinking",
    thinking: "Gemini's",
    signature: gatewaySignature({ vendor: "g", model: "m" }),
  };
  const claude = { type: "thinking", thinking: "Claude's", signature: ANTHROPIC_SIGNATURE };
  const redacted = { type: "redacted_thinking", data: "opaque" };
  const text = { type: "text", text: "ok" };

  it("returns a body without gateway-signed thinking as the same object", () => {
    const body = {
      model: "claude",
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: [claude, redacted, text] },
      ],
    };
    expect(withoutGatewayThinking(body)).toBe(body);
    const odd = { model: "claude", messages: "not a list" };
    expect(withoutGatewayThinking(odd)).toBe(odd);
  });

  it("removes only the gateway's thinking blocks, and the assistant turns they leave empty", () => {
    const body = {
      model: "claude",
      thinking: { type: "adaptive" },
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: [ours] },
        { role: "user", content: [text] },
        { role: "assistant", content: [ours, claude, redacted, text], extra: 1 },
      ],
    };
    const before = structuredClone(body);
    expect(withoutGatewayThinking(body)).toEqual({
      model: "claude",
      thinking: { type: "adaptive" },
      messages: [
        { role: "user", content: "hi" },
        { role: "user", content: [text] },
        { role: "assistant", content: [claude, redacted, text], extra: 1 },
      ],
    });
    expect(body, "the client's body is not changed").toEqual(before);
  });
});
