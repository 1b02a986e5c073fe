import { env, exports } from "cloudflare:workers";
import OpenAI from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import { configureVendorKeys, createUser, del, post, scenario } from "../helpers";
import type { RecordedRequest } from "../mocks/scenario";

/**
 * POST /v1/responses and the stored-response routes, driven by the official openai SDK as Codex,
 * the Agents SDK and Responses applications drive them, against every vendor kind the neutral
 * model reaches: creation whole and streamed, retrieve, delete, input items, a function-call round
 * trip, `previous_response_id` chains, and one user never reaching another's responses.
 */

let key: string;
let otherKey: string;
beforeAll(async () => {
  await configureVendorKeys();
  key = (await createUser()).key;
  otherKey = (await createUser()).key;
  const compat = await post("/v1/vendors", {
    slug: "compat-resp",
    kind: "openai-compatible",
    base_url: `${env.MOCK_UPSTREAM_URL}/compat/v1`,
  });
  expect(compat.status, compat.text).toBe(201);
});

const workerFetch = (i: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(i, init));
const client = (apiKey = key) =>
  new OpenAI({ apiKey, baseURL: "http://w/v1", fetch: workerFetch, maxRetries: 0 });

const tools: OpenAI.Responses.FunctionTool[] = [
  {
    type: "function",
    name: "get_weather",
    description: "Weather by city",
    parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
    strict: false,
  },
];

async function received(model: string): Promise<RecordedRequest[]> {
  return (await (
    await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(model)}`)
  ).json()) as RecordedRequest[];
}

const VENDORS = [
  { kind: "anthropic", model: (name: string) => `anthropic/${scenario(name)}` },
  { kind: "openai", model: (name: string) => `openai/${scenario(name)}` },
  { kind: "openai-compatible", model: (name: string) => `compat-resp/${scenario(name)}` },
  { kind: "gemini", model: (name: string) => `gemini/${scenario(name)}` },
  { kind: "mock", model: () => "mock/echo" },
];

describe.each(VENDORS)("the openai SDK's Responses against a vendor of kind $kind", (v) => {
  it("creates, retrieves, lists the input and deletes", async () => {
    const model = v.model("plain");
    const created = await client().responses.create({
      model,
      input: "Say something.",
      instructions: "Be brief.",
    });
    expect(created).toMatchObject({ object: "response", status: "completed", instructions: "Be brief." });
    // A passthrough names the vendor's model, as the vendor wrote it; a translation the one asked for.
    expect(created.model).toBe(v.kind === "openai" ? model.slice("openai/".length) : model);
    expect(created.output_text.length).toBeGreaterThan(0);
    expect(created.usage?.output_tokens).toBeGreaterThan(0);
    expect(created.usage?.total_tokens).toBe(
      (created.usage?.input_tokens ?? 0) + (created.usage?.output_tokens ?? 0),
    );

    const again = await client().responses.retrieve(created.id);
    expect(again.id).toBe(created.id);
    expect(again.output).toEqual(created.output);
    const items = await client().responses.inputItems.list(created.id);
    expect(items.data).toHaveLength(1);
    expect(items.data[0]).toMatchObject({
      type: "message",
      role: "user",
      content: [{ type: "input_text", text: "Say something." }],
    });

    const deleted = await workerFetch(`http://w/v1/responses/${created.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${key}` },
    });
    expect(await deleted.json()).toEqual({ id: created.id, object: "response", deleted: true });
    await expect(client().responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("streams the typed lifecycle, and the response is stored when the stream says it is complete", async () => {
    const model = v.model("plain");
    const stream = client().responses.stream({ model, input: "Say something." });
    const types: string[] = [];
    let deltas = "";
    stream.on("event", (e) => types.push(e.type));
    stream.on("response.output_text.delta", (e) => {
      deltas += e.delta;
    });
    const final = await stream.finalResponse();
    expect(types.slice(0, 2)).toEqual(["response.created", "response.in_progress"]);
    expect(types.at(-1)).toBe("response.completed");
    expect(types.filter((t) => t === "response.completed")).toHaveLength(1);
    expect(deltas).toBe(final.output_text);
    expect(final.status).toBe("completed");
    // Stored before `response.completed` went out: found at once.
    expect((await client().responses.retrieve(final.id)).output_text).toBe(final.output_text);
  });

  it("chains three turns by previous_response_id", async () => {
    const one = await client().responses.create({
      model: v.model("plain"),
      input: "turn one: the word is teal",
    });
    const two = await client().responses.create({
      model: v.model("plain"),
      input: "turn two",
      previous_response_id: one.id,
    });
    const inspect = v.model("inspect");
    const three = await client().responses.create({
      model: inspect,
      input: "turn three",
      previous_response_id: two.id,
    });
    expect(three.previous_response_id).toBe(two.id);
    expect(three.status).toBe("completed");
    if (v.kind === "mock") return; // the offline vendor echoes the last turn only
    // What the vendor was given for the third turn holds the first (or, at OpenAI, the chain's ids).
    const [sent] = await received(inspect.slice(inspect.indexOf("/") + 1));
    const seen = JSON.stringify(sent?.body);
    if (v.kind === "openai") expect(three.output_text).toContain(one.id);
    else expect(seen).toContain("turn one: the word is teal");
  });

  it("runs a function-call round trip over previous_response_id, whole and streamed", async () => {
    const model = v.kind === "mock" ? "mock/echo" : v.model("tool-call");
    const toolChoice = v.kind === "mock" ? ({ type: "function", name: "get_weather" } as const) : undefined;
    const first = await client().responses.create({
      model,
      input: "What is the weather in Paris?",
      tools,
      ...(toolChoice ? { tool_choice: toolChoice } : {}),
    });
    const call = first.output.find(
      (i): i is OpenAI.Responses.ResponseFunctionToolCall => i.type === "function_call",
    );
    expect(call).toMatchObject({ type: "function_call", name: "get_weather", status: "completed" });
    expect(call?.call_id).toMatch(/\S/);

    const streamed = await client()
      .responses.stream({
        model,
        input: "What is the weather in Paris?",
        tools,
        ...(toolChoice ? { tool_choice: toolChoice } : {}),
      })
      .finalResponse();
    expect(streamed.output.find((i) => i.type === "function_call")).toMatchObject({ name: "get_weather" });

    const second = await client().responses.create({
      model,
      previous_response_id: first.id,
      input: [{ type: "function_call_output", call_id: call?.call_id ?? "", output: "sunny" }],
      tools,
    });
    expect(second.status).toBe("completed");
    expect(second.output_text).toContain("sunny");
    expect(second.previous_response_id).toBe(first.id);
  });
});

describe("an openai vendor: passthrough of its own Responses API", () => {
  it("relays the vendor's response, records who owns its id, and keeps the chain at the vendor", async () => {
    const upstream = scenario("inspect");
    const model = `openai/${upstream}`;
    const first = await client().responses.create({ model, input: "turn one" });
    expect(first.id).toMatch(/^resp_/);
    const second = await client().responses.create({
      model,
      input: "turn two",
      previous_response_id: first.id,
    });
    const [, sent] = await received(upstream);
    // All of the chain is the vendor's: it gets the id, not the history.
    expect(sent?.path).toBe("/openai/v1/responses");
    expect((sent?.body as { previous_response_id?: string } | undefined)?.previous_response_id).toBe(
      first.id,
    );
    expect((await client().responses.retrieve(second.id)).id).toBe(second.id);
    // The vendor key is shared: another user is refused here, never sent on to the vendor.
    const other = client(otherKey);
    await expect(other.responses.retrieve(first.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(
      other.responses.create({ model, input: "x", previous_response_id: first.id }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect(await received(upstream)).toHaveLength(2);
  });

  it("replays another vendor's chain to it as input, without previous_response_id", async () => {
    const first = await client().responses.create({ model: "mock/echo", input: "the word is teal" });
    const upstream = scenario("inspect");
    await client().responses.create({
      model: `openai/${upstream}`,
      input: "which word?",
      previous_response_id: first.id,
    });
    const [sent] = await received(upstream);
    const body = (sent?.body ?? {}) as { previous_response_id?: string; input: unknown[] };
    expect(body.previous_response_id).toBeUndefined();
    expect(JSON.stringify(body.input)).toContain("the word is teal");
    expect(JSON.stringify(body.input)).toContain(first.output_text);
    expect(JSON.stringify(body.input.at(-1))).toContain("which word?");
  });

  it("hands the vendor's stored turns on to another vendor", async () => {
    const first = await client().responses.create({
      model: `openai/${scenario("plain")}`,
      input: "remember mauve",
    });
    const upstream = scenario("inspect");
    await client().responses.create({
      model: `anthropic/${upstream}`,
      input: "which colour?",
      previous_response_id: first.id,
    });
    const [sent] = await received(upstream);
    expect(JSON.stringify(sent?.body)).toContain("remember mauve");
    expect(JSON.stringify(sent?.body)).toContain(first.output_text);
  });

  it("stores a relayed stream before its response.completed goes on, and deletes at the vendor too", async () => {
    const upstream = scenario("plain");
    const final = await client()
      .responses.stream({ model: `openai/${upstream}`, input: "stream it" })
      .finalResponse();
    expect((await client().responses.retrieve(final.id)).output_text).toBe(final.output_text);
    const deleted = await workerFetch(`http://w/v1/responses/${final.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${key}` },
    });
    expect(deleted.status).toBe(200);
    const calls = await received(upstream);
    expect(calls.map((r) => r.path)).toEqual(["/openai/v1/responses", `/openai/v1/responses/${final.id}`]);
    await expect(client().responses.retrieve(final.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("lets the vendor count input tokens", async () => {
    const upstream = scenario("plain");
    const res = await post(
      "/v1/responses/input_tokens",
      { model: `openai/${upstream}`, input: "count me" },
      { key },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.json).toMatchObject({ object: "response.input_tokens", input_tokens: expect.any(Number) });
    expect((await received(upstream)).map((r) => r.path)).toEqual(["/openai/v1/responses/input_tokens"]);
  });

  it("passes the vendor's error on in OpenAI's envelope", async () => {
    const err = await client()
      .responses.create({ model: `openai/${scenario("fail-429")}`, input: "x" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).headers?.get("retry-after")).toBe("7");
  });
});

describe("previous_response_id", () => {
  it("replays the stored chain over three turns, without inheriting instructions", async () => {
    const upstream = scenario("inspect");
    const model = `compat-resp/${upstream}`;
    const one = await client().responses.create({ model, input: "turn one", instructions: "First rules." });
    const two = await client().responses.create({ model, input: "turn two", previous_response_id: one.id });
    await client().responses.create({
      model,
      input: [{ role: "user", content: "turn three" }],
      previous_response_id: two.id,
      instructions: "Third rules.",
    });
    const sent = (await received(upstream)).map(
      (r) => (r.body as { messages: { role: string; content: unknown }[] }).messages,
    );
    expect(sent).toHaveLength(3);
    const third = sent[2] ?? [];
    expect(third.map((m) => m.role)).toEqual(["system", "user", "assistant", "user", "assistant", "user"]);
    expect(third[0]?.content).toBe("Third rules.");
    // The one system message is this turn's instructions (the earlier ones show only inside the
    // echoed answers of the inspect scenario).
    expect(JSON.stringify(third[1])).toContain("turn one");
    expect(third[2]?.content).toBe(one.output_text);
    expect(JSON.stringify(third[5])).toContain("turn three");
  });

  it("follows a chain across vendors", async () => {
    const first = await client().responses.create({ model: "mock/echo", input: "remember the word teal" });
    const upstream = scenario("inspect");
    await client().responses.create({
      model: `anthropic/${upstream}`,
      previous_response_id: first.id,
      input: "what was the word?",
    });
    const [sent] = await received(upstream);
    const body = JSON.stringify(sent?.body);
    expect(body).toContain("remember the word teal");
    expect(body).toContain(first.output_text);
  });

  it("is a 404 for an unknown id, another user's, and after a delete", async () => {
    const mine = await client().responses.create({ model: "mock/echo", input: "private" });
    for (const id of ["resp_nope", mine.id]) {
      const err = await client(otherKey)
        .responses.create({ model: "mock/echo", input: "x", previous_response_id: id })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.NotFoundError);
      expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("previous_response_not_found");
      expect((err as InstanceType<typeof OpenAI.NotFoundError>).param).toBe("previous_response_id");
    }
    await client().responses.delete(mine.id);
    await expect(
      client().responses.create({ model: "mock/echo", input: "x", previous_response_id: mine.id }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe("stored responses are the caller's own", () => {
  it("gives another user a 404 on every route", async () => {
    const mine = await client().responses.create({ model: "mock/echo", input: "mine" });
    const other = client(otherKey);
    await expect(other.responses.retrieve(mine.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(other.responses.inputItems.list(mine.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(other.responses.delete(mine.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect((await client().responses.retrieve(mine.id)).id).toBe(mine.id);
  });

  it("go with their user", async () => {
    const { user, key: theirs } = await createUser();
    const res = await client(theirs).responses.create({ model: "mock/echo", input: "short-lived" });
    const count = () =>
      env.DB.prepare("select count(*) as n from responses where id = ?").bind(res.id).first<{ n: number }>();
    expect((await count())?.n).toBe(1);
    expect((await del(`/v1/users/${user.id}`)).status).toBe(204);
    expect((await count())?.n).toBe(0);
  });

  it("are gone once their retention passed, for reads and chains alike", async () => {
    const res = await client().responses.create({ model: "mock/echo", input: "short-lived" });
    await env.DB.prepare("update responses set expires_at = ? where id = ?")
      .bind(Date.now() - 1, res.id)
      .run();
    await expect(client().responses.retrieve(res.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(
      client().responses.create({ model: "mock/echo", input: "x", previous_response_id: res.id }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("keeps nothing with store: false", async () => {
    const res = await client().responses.create({ model: "mock/echo", input: "forget me", store: false });
    expect((res as { store?: boolean }).store).toBe(false);
    await expect(client().responses.retrieve(res.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("pages input items as OpenAI does (newest first; after, limit, order)", async () => {
    const input = ["a", "b", "c"].map((text) => ({ role: "user" as const, content: text }));
    const res = await client().responses.create({ model: "mock/echo", input });
    const page = await client().responses.inputItems.list(res.id, { limit: 2 });
    expect(page.data.map((i) => (i as { content: { text: string }[] }).content[0]?.text)).toEqual(["c", "b"]);
    expect(page.has_more).toBe(true);
    const all = [];
    for await (const item of client().responses.inputItems.list(res.id, { limit: 1, order: "asc" }))
      all.push(item);
    expect(all.map((i) => (i as { content: { text: string }[] }).content[0]?.text)).toEqual(["a", "b", "c"]);
  });
});

describe("item_reference", () => {
  it("resolves the caller's stored items (input and output), and another user's is a 404", async () => {
    const first = await client().responses.create({ model: "mock/echo", input: "the word is teal" });
    const [inputItem] = (await client().responses.inputItems.list(first.id)).data;
    const outputItem = first.output[0];
    const upstream = scenario("inspect");
    const refs = [
      { type: "item_reference" as const, id: inputItem?.id ?? "" },
      { type: "item_reference" as const, id: outputItem?.id ?? "" },
    ];
    await client().responses.create({
      model: `anthropic/${upstream}`,
      input: [...refs, { role: "user", content: "which word?" }],
    });
    const [sent] = await received(upstream);
    const body = JSON.stringify(sent?.body);
    expect(body).toContain("the word is teal");
    expect(body).toContain(first.output_text);

    const theirs = await client(otherKey)
      .responses.create({ model: "mock/echo", input: [refs[1] as (typeof refs)[number]] })
      .catch((e: unknown) => e);
    expect(theirs).toBeInstanceOf(OpenAI.NotFoundError);
    expect((theirs as InstanceType<typeof OpenAI.NotFoundError>).param).toBe("input.0");
  });
});

describe("reasoning", () => {
  it("comes back as a reasoning item, and goes back only to the vendor and model that made it", async () => {
    const first = await client().responses.create({
      model: "mock/echo",
      input: "think first",
      reasoning: { effort: "low", summary: "auto" },
    });
    const item = first.output[0] as OpenAI.Responses.ResponseReasoningItem;
    expect(item.type).toBe("reasoning");
    expect(item.summary[0]?.text).toContain("0 earlier thought(s) recalled");
    expect(item.encrypted_content).toMatch(/^sbr1\./);
    const history = [
      ...(first.output as OpenAI.Responses.ResponseInputItem[]),
      { role: "user" as const, content: "again" },
    ];

    const same = await client().responses.create({
      model: "mock/echo",
      input: history,
      reasoning: { effort: "low" },
    });
    expect((same.output[0] as OpenAI.Responses.ResponseReasoningItem).summary[0]?.text).toContain(
      "1 earlier thought(s) recalled",
    );
    const upstream = scenario("inspect");
    await client().responses.create({ model: `compat-resp/${upstream}`, input: history });
    const [sent] = await received(upstream);
    expect(JSON.stringify(sent?.body)).not.toContain("reasoning_content");
  });
});

describe("POST /v1/responses/compact", () => {
  it("keeps the user's messages, sums up the rest in one compaction item, and any vendor reads it back", async () => {
    const first = await client().responses.create({ model: "mock/echo", input: "the code word is teal" });
    const compacted = await client().responses.compact({
      model: "mock/summary",
      previous_response_id: first.id,
      input: [{ role: "user", content: "and the colour is red" }],
    });
    expect(compacted.object).toBe("response.compaction");
    expect(compacted.output.map((i) => i.type)).toEqual(["message", "message", "compaction"]);
    expect(compacted.output.filter((i) => i.type === "compaction")).toHaveLength(1);
    expect(compacted.usage.output_tokens).toBeGreaterThan(0);

    const upstream = scenario("inspect");
    await client().responses.create({
      model: `gemini/${upstream}`,
      input: [
        ...(compacted.output as OpenAI.Responses.ResponseInputItem[]),
        { role: "user", content: "go on" },
      ],
    });
    const [sent] = await received(upstream);
    const body = JSON.stringify(sent?.body);
    expect(body).toContain("summarised (earlier turns were compacted)");
    expect(body).toContain("and the colour is red");
  });

  it("lets an openai vendor compact on its own", async () => {
    const upstream = scenario("plain");
    const res = await client().responses.compact({ model: `openai/${upstream}`, input: "a long story" });
    expect(res.object).toBe("response.compaction");
    expect(res.output.at(-1)?.type).toBe("compaction");
    expect((await received(upstream)).map((r) => r.path)).toEqual(["/openai/v1/responses/compact"]);
  });

  it("refuses OpenAI's own compaction items for other vendors, by name", async () => {
    const err = await client()
      .responses.create({
        model: "mock/echo",
        input: [{ type: "compaction", encrypted_content: "gAAAAABo-openai-ciphertext" }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("input.0");
  });
});

describe("input_file", () => {
  const pdf = (model: string) =>
    client().responses.create({
      model,
      input: [
        {
          role: "user",
          content: [
            { type: "input_file", file_data: "data:application/pdf;base64,JVBERi0xLjQK", filename: "q3.pdf" },
            { type: "input_text", text: "Summarise it." },
          ],
        },
      ],
    });

  it("reaches a vendor that reads PDFs in its own form", async () => {
    const upstream = scenario("inspect");
    await pdf(`gemini/${upstream}`);
    const [sent] = await received(upstream);
    expect(JSON.stringify(sent?.body)).toContain(
      '"inlineData":{"mimeType":"application/pdf","data":"JVBERi0xLjQK"}',
    );
  });

  it("is a 400 naming it where the vendor takes no PDFs", async () => {
    const err = await pdf(`compat-resp/${scenario("plain")}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("messages.0.content.0");
  });
});

describe("what translation cannot carry", () => {
  it("is a 400 naming it, in OpenAI's envelope", async () => {
    const bad = await client()
      .responses.create({ model: "anthropic/claude-haiku-4-5", input: "x", tools: [{ type: "web_search" }] })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect((bad as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("tools.0");
    const background = await client()
      .responses.create({ model: "mock/echo", input: "x", background: true })
      .catch((e: unknown) => e);
    expect((background as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("background");
  });

  it("counts input tokens", async () => {
    const res = await post(
      "/v1/responses/input_tokens",
      { model: "gemini/gemini-2.5-flash", input: "How many tokens is this?", instructions: "Count." },
      { key },
    );
    expect(res.status, res.text).toBe(200);
    expect(res.json).toEqual({ object: "response.input_tokens", input_tokens: expect.any(Number) });
    expect(res.json.input_tokens).toBeGreaterThan(0);
  });
});
