import { describe, expect, it } from "vitest";
import { GatewayError } from "../errors/gateway-error";
import { embeddingItems } from "./embedding-inputs";

describe("embeddingItems", () => {
  it("takes every shape of input, each distinct item once, positions kept", () => {
    expect(embeddingItems("a")).toEqual({ distinct: ["a"], slots: [0], tokenIds: false });
    expect(embeddingItems(["a", "b", "a", "c", "b"])).toEqual({
      distinct: ["a", "b", "c"],
      slots: [0, 1, 0, 2, 1],
      tokenIds: false,
    });
    expect(embeddingItems([5, 6])).toEqual({ distinct: [[5, 6]], slots: [0], tokenIds: true });
    expect(embeddingItems([[1, 2], [1], [1, 2]])).toEqual({
      distinct: [[1, 2], [1]],
      slots: [0, 1, 0],
      tokenIds: true,
    });
    // Token ids that join alike are still different items.
    expect(
      embeddingItems([
        [1, 23],
        [12, 3],
      ]).distinct,
    ).toHaveLength(2);
  });

  it("refuses nothing to embed, an empty item, too many items, naming input", () => {
    for (const input of [[], "", ["a", ""], [[1], []], Array(2049).fill("x")]) {
      let err: unknown;
      try {
        embeddingItems(input as string[]);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).status).toBe(400);
      expect((err as GatewayError).param).toBe("input");
    }
  });
});
