import { expect, it } from "vitest";
import { encodingCases } from "../encoding-cases";

it("runs on the JavaScript fallback (Node 24 has no Uint8Array.fromBase64)", () => {
  expect((Uint8Array as unknown as { fromBase64?: unknown }).fromBase64).toBeUndefined();
});
encodingCases("Node");
