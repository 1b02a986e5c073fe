import { env, exports } from "cloudflare:workers";
import OpenAI from "openai";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createUser, get, patch, post, scenario } from "../helpers";
import { LISTED_MODELS } from "../mocks/model-lists";

let key: string;
beforeAll(async () => {
  key = (await createUser()).key;
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** A compatible vendor whose host is the mock list `name` (test/mocks/model-lists.ts). */
async function compatVendor(name: string, extra: Record<string, unknown> = {}) {
  const slug = `c-${crypto.randomUUID().slice(0, 8)}`;
  const res = await post("/v1/vendors", {
    slug,
    kind: "openai-compatible",
    base_url: `${env.MOCK_UPSTREAM_URL}/listing/${name}/v1`,
    ...extra,
  });
  expect(res.status, res.text).toBe(201);
  return { slug, createdAt: Math.floor(Date.parse(res.json.created_at) / 1000) };
}

/** How often the mock list `name` was asked, and with which headers. */
async function asked(name: string) {
  const res = await fetch(`${env.MOCK_UPSTREAM_URL}/__log?model=${encodeURIComponent(name)}`);
  return (await res.json()) as { headers: Record<string, string> }[];
}

async function list() {
  const res = await get("/v1/models", { key });
  expect(res.status, res.text).toBe(200);
  return res.json.data as { id: string; object: string; created: number; owned_by: string }[];
}

const idsOf = async (slug: string) => (await list()).filter((m) => m.owned_by === slug).map((m) => m.id);

describe("GET /v1/models: what OpenAI-compatible hosts serve", () => {
  it("lists the host's own models as `<slug>/<id>`, asked with the vendor's key", async () => {
    const host = scenario("ok");
    const { slug, createdAt } = await compatVendor(host, { api_key: "gsk-list-key" });
    const mine = (await list()).filter((m) => m.owned_by === slug);
    expect(mine).toEqual([
      { id: `${slug}/llama-3.3-70b-versatile`, object: "model", created: 1733447754, owned_by: slug },
      // No `created` from the host: the vendor's own creation time.
      { id: `${slug}/qwen2.5:7b`, object: "model", created: createdAt, owned_by: slug },
    ]);
    const [seen] = await asked(host);
    expect(seen?.headers.authorization).toBe("Bearer gsk-list-key");
  });

  it("keeps a host's list a while: a second list does not ask it again", async () => {
    const host = scenario("ok");
    const { slug } = await compatVendor(host);
    expect(await idsOf(slug)).toHaveLength(LISTED_MODELS.length);
    expect(await idsOf(slug)).toHaveLength(LISTED_MODELS.length);
    const seen = await asked(host);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers.authorization).toBeUndefined();
  });

  it("asks again once an admin changed the vendor", async () => {
    const first = scenario("ok");
    const { slug } = await compatVendor(first);
    expect(await idsOf(slug)).toHaveLength(LISTED_MODELS.length);
    const second = scenario("ok");
    // The key holds `updated_at` in ms: a change within the same ms as the creation would keep it.
    await new Promise((r) => setTimeout(r, 5));
    const res = await patch(`/v1/vendors/${slug}`, {
      base_url: `${env.MOCK_UPSTREAM_URL}/listing/${second}/v1`,
    });
    expect(res.status, res.text).toBe(200);
    expect(await idsOf(slug)).toHaveLength(LISTED_MODELS.length);
    expect(await asked(second)).toHaveLength(1);
  });

  it("leaves out hosts that are down, fail or answer no list, and logs them without secrets", async () => {
    const errors = vi.spyOn(console, "error");
    const good = await compatVendor(scenario("ok"));
    const failing = await Promise.all(
      ["fail-500", "malformed", "garbage", "reset"].map(async (s) => {
        const host = scenario(s);
        return { host, ...(await compatVendor(host, { api_key: "sk-never-logged-0123456789" })) };
      }),
    );
    const down = await post("/v1/vendors", {
      slug: `c-down-${crypto.randomUUID().slice(0, 8)}`,
      kind: "openai-compatible",
      base_url: "http://127.0.0.1:1/v1",
    });
    expect(down.status, down.text).toBe(201);

    const listed = await list();
    expect(listed.filter((m) => m.owned_by === good.slug)).toHaveLength(LISTED_MODELS.length);
    for (const slug of [...failing.map((f) => f.slug), down.json.slug]) {
      expect(listed.filter((m) => m.owned_by === slug)).toEqual([]);
    }
    const lines = errors.mock.calls.map((args) => String(args[0]));
    for (const slug of [...failing.map((f) => f.slug), down.json.slug]) {
      const line = lines.find((l) => l.includes(`"vendor":"${slug}"`));
      expect(line, slug).toBeDefined();
      expect(JSON.parse(line as string)).toMatchObject({ level: "warn", error_code: expect.any(String) });
    }
    expect(lines.join("\n")).not.toContain("sk-never-logged");
    expect(lines.join("\n")).not.toContain("/listing/");

    // Not asked again for a while either: a host that is down would cost every list its wait.
    await list();
    for (const f of failing) expect(await asked(f.host)).toHaveLength(1);
  });

  it("waits for a host that does not answer no longer than its timeout, asking hosts in parallel", async () => {
    const slow = await Promise.all([1, 2, 3].map(() => compatVendor(scenario("hang"))));
    const good = await compatVendor(scenario("ok"));
    const started = Date.now();
    const listed = await list();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(4000);
    expect(listed.filter((m) => m.owned_by === good.slug)).toHaveLength(LISTED_MODELS.length);
    for (const { slug } of slow) expect(listed.filter((m) => m.owned_by === slug)).toEqual([]);
  });

  it("parses with the official SDK's models.list", async () => {
    const { slug } = await compatVendor(scenario("ok"));
    const client = new OpenAI({
      apiKey: key,
      baseURL: "http://w/v1",
      fetch: (i: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(i, init)),
    });
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining([`${slug}/llama-3.3-70b-versatile`, `${slug}/qwen2.5:7b`]));
  });
});

describe("GET /v1/models: custom vendors of other kinds", () => {
  it.each(["anthropic", "gemini"])(
    "a custom `%s` vendor lists what its kind serves, as the built-in one does, without asking its host",
    async (kind) => {
      expect((await patch(`/v1/vendors/${kind}`, { api_key: "sk-builtin" })).status).toBe(200);
      const host = scenario("ok");
      const slug = `${kind}-${crypto.randomUUID().slice(0, 8)}`;
      const res = await post("/v1/vendors", {
        slug,
        kind,
        base_url: `${env.MOCK_UPSTREAM_URL}/listing/${host}/v1`,
        api_key: "sk-custom",
      });
      expect(res.status, res.text).toBe(201);
      const builtin = (await idsOf(kind)).map((id) => id.slice(kind.length + 1));
      expect(builtin.length).toBeGreaterThan(0);
      expect(await idsOf(slug)).toEqual(builtin.map((m) => `${slug}/${m}`));
      expect(await asked(host)).toEqual([]);
    },
  );
});
