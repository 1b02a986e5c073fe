import { beforeAll, describe, expect, it } from "vitest";
import { createUser, expectError, get, patch, post } from "../helpers";

// Ids and model strings end up in response headers, cache keys and logs: a control character in
// one is a 400 naming the field, never a 500 (`Invalid header value`) or a stored time bomb.
const CONTROL = { nul: "\u0000", newline: "\n", del: "\u007f", c1: "\u0085" };
const cases = Object.entries(CONTROL);

const refused = (res: Parameters<typeof expectError>[0], param: string, code = "invalid_body") => {
  const err = expectError(res, 400, "invalid_request_error", code);
  expect(err.param).toBe(param);
  expect(err.message).toContain("control characters");
};

let key: string;
beforeAll(async () => {
  key = (await createUser()).key;
});

const messages = [{ role: "user", content: "hi" }];

describe("control characters in a model string", () => {
  it.each(cases)("chat completions refuse %s in model, streamed or not", async (_name, ch) => {
    for (const stream of [false, true]) {
      const res = await post("/v1/chat/completions", { model: `mock/echo${ch}`, messages, stream }, { key });
      refused(res, "model");
    }
  });

  it.each(cases)("image generations refuse %s in model", async (_name, ch) => {
    const res = await post("/v1/images/generations", { model: `mock/${ch}image`, prompt: "a fox" }, { key });
    refused(res, "model");
  });

  it("personas and conversations refuse them in model and persona_id", async () => {
    const persona = { name: "P", system_prompt: "Be brief.", model: "mock/echo\u0000" };
    refused(await post("/v1/personas", persona, { key }), "model");
    refused(await post("/v1/conversations", { model: "mock/echo\n" }, { key }), "model");
    refused(await post("/v1/conversations", { persona_id: "per_\u0000" }, { key }), "persona_id");
    const conversation = await post("/v1/conversations", {}, { key });
    expect(conversation.status, conversation.text).toBe(201);
    refused(
      await patch(`/v1/conversations/${conversation.json.id}`, { model: "mock/\u007fecho" }, { key }),
      "model",
    );
  });

  it("list filters refuse them too", async () => {
    refused(await get("/v1/usage?model=mock%2Fecho%00", { key }), "model", "invalid_query");
    refused(await get("/v1/conversations?persona_id=per%0A", { key }), "persona_id", "invalid_query");
  });

  it("still accepts a model that only has surrounding spaces, trimmed", async () => {
    const res = await post("/v1/conversations", { model: " mock/echo " }, { key });
    expect(res.status, res.text).toBe(201);
    expect(res.json.model).toBe("mock/echo");
  });
});

describe("control characters in model configs and vendors", () => {
  const config = { alias: "ctl", vendor: "mock", upstream_model: "echo" };

  it.each(cases)("refuses %s in upstream_model, alias, vendor and fallbacks", async (_name, ch) => {
    refused(await post("/v1/model-configs", { ...config, upstream_model: `echo${ch}` }), "upstream_model");
    refused(await post("/v1/model-configs", { ...config, alias: `ctl${ch}` }), "alias");
    refused(await post("/v1/model-configs", { ...config, vendor: `mock${ch}` }), "vendor");
    refused(await post("/v1/model-configs", { ...config, fallbacks: [`mock/${ch}`] }), "fallbacks.0");
  });

  it("refuses them on update, so nothing unusable is stored", async () => {
    expect((await post("/v1/model-configs", config)).status).toBe(201);
    refused(await patch("/v1/model-configs/ctl", { upstream_model: "echo\u0000" }), "upstream_model");
    expect((await get("/v1/model-configs/ctl")).json.upstream_model).toBe("echo");
    const chat = await post("/v1/chat/completions", { model: "ctl", messages }, { key });
    expect(chat.status, chat.text).toBe(200);
  });

  it("refuses a vendor slug with one", async () => {
    refused(await post("/v1/vendors", { slug: "groq\u0000", kind: "mock" }), "slug");
  });
});

describe("control characters in path ids", () => {
  const requests: [string, string, () => ReturnType<typeof get>][] = [
    ["GET /v1/users/usr%00", "id", () => get("/v1/users/usr%00")],
    ["GET /v1/users/usr%0A/api-keys", "id", () => get("/v1/users/usr%0A/api-keys")],
    ["GET /v1/model-configs/fast%7F", "alias", () => get("/v1/model-configs/fast%7F")],
    ["PATCH /v1/vendors/mock%00", "slug", () => patch("/v1/vendors/mock%00", { enabled: true })],
    ["GET /v1/conversations/cnv%00/messages", "id", () => get("/v1/conversations/cnv%00/messages", { key })],
    [
      "POST /v1/conversations/cnv%00/messages",
      "id",
      () => post("/v1/conversations/cnv%00/messages", { content: "hi" }, { key }),
    ],
  ];

  it.each(requests)("%s is a 400 naming %s", async (_title, param, send) => {
    refused(await send(), param, "invalid_path_parameter");
  });

  it("keeps any other unknown id a 404", async () => {
    expectError(await get("/v1/users/usr%20missing"), 404, "not_found_error");
    expectError(await get("/v1/model-configs/%E2%9C%93"), 404, "not_found_error");
  });

  it("serves images only by a sane file name", async () => {
    refused(await get("/v1/images/files/abc%00.png", { key: null }), "file", "invalid_path_parameter");
  });
});
