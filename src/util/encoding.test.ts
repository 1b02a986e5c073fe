import { expect, it } from "vitest";
import { encodingCases } from "../../test/encoding-cases";

it("runs on the runtime's own base64", () => {
  expect(typeof (Uint8Array as unknown as { fromBase64?: unknown }).fromBase64).toBe("function");
});
encodingCases("workerd");
