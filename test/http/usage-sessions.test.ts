import { beforeAll, describe, expect, it } from "vitest";
import { createUser, get, post, usageOf } from "../helpers";
import { type Caller, requestIdOf, usageCallers } from "./usage-helpers";

/**
 * Usage per client session: Claude Code's `x-claude-code-session-id` (any client may send it) is
 * recorded on every call's usage row, and the reports group and filter by it, each user seeing
 * only their own calls.
 */

const SESSION = "x-claude-code-session-id";
let alice: Caller;
let bob: Caller;
const aliceSession = `sess-${crypto.randomUUID()}`;
const bobSession = `sess-${crypto.randomUUID()}`;

const messages = (key: string, session?: string) =>
  post(
    "/v1/messages",
    { model: "mock/echo", max_tokens: 32, messages: [{ role: "user", content: "hi" }] },
    { key, headers: session === undefined ? {} : { [SESSION]: session } },
  );
const chat = (key: string, session?: string) =>
  post(
    "/v1/chat/completions",
    { model: "mock/echo", messages: [{ role: "user", content: "hi" }] },
    { key, headers: session === undefined ? {} : { [SESSION]: session } },
  );

/** The call's usage row, once written (through the real queue). */
async function recorded(res: { status: number; text: string; headers: Headers }) {
  expect(res.status, res.text).toBe(200);
  return usageOf(requestIdOf(res));
}

const bySession = async (path: string, key?: string) => {
  const res = await get(path, key === undefined ? {} : { key });
  expect(res.status, res.text).toBe(200);
  return Object.fromEntries(
    res.json.data.map((g: { key: string | null; requests: number }) => [g.key, g.requests]),
  );
};

beforeAll(async () => {
  ({ alice, bob } = await usageCallers());
  // Alice: two calls in her session (Anthropic's Messages API, then a chat completion) and one
  // without a session; Bob: one in his own session.
  await recorded(await messages(alice.key, aliceSession));
  await recorded(await chat(alice.key, aliceSession));
  await recorded(await chat(alice.key));
  await recorded(await messages(bob.key, bobSession));
});

describe("the client's session on the usage record", () => {
  it("is recorded for /v1/messages and chat completions alike", async () => {
    expect((await recorded(await messages(alice.key, aliceSession))).session_id).toBe(aliceSession);
    expect((await recorded(await chat(alice.key, aliceSession))).session_id).toBe(aliceSession);
    expect((await recorded(await chat(alice.key))).session_id).toBeNull();
  });

  it("groups the caller's report by session, and filters it to one", async () => {
    const carol = await createUser();
    const session = `sess-${crypto.randomUUID()}`;
    await recorded(await messages(carol.key, session));
    await recorded(await chat(carol.key, session));
    await recorded(await chat(carol.key));
    const report = await get("/v1/usage?group_by=session", { key: carol.key });
    expect(report.status, report.text).toBe(200);
    expect(report.json.group_by).toBe("session");
    // Groups are ordered by key, nulls first: the calls without a session, then the session.
    expect(
      report.json.data.map((g: { key: string | null; requests: number }) => [g.key, g.requests]),
    ).toEqual([
      [null, 1],
      [session, 2],
    ]);
    expect(report.json.totals.requests).toBe(3);
    const one = await get(`/v1/usage?session_id=${session}&group_by=model`, { key: carol.key });
    expect(one.status, one.text).toBe(200);
    expect(one.json.data).toEqual([expect.objectContaining({ key: "mock/echo", requests: 2 })]);
  });

  it("is not recorded when the header is not a plausible id, and the call still answers", async () => {
    for (const bad of ["x".repeat(129), "a\u007fb", "a\tb", " "]) {
      const row = await recorded(await chat(alice.key, bad));
      expect(row.session_id, JSON.stringify(bad)).toBeNull();
    }
    // 128 characters is the bound, and kept.
    expect((await recorded(await chat(alice.key, "y".repeat(128)))).session_id).toBe("y".repeat(128));
  });

  it("keeps tenants apart: a user's report never shows another user's session", async () => {
    const bobs = await bySession("/v1/usage?group_by=session", bob.key);
    expect(Object.keys(bobs)).toEqual([bobSession]);
    const alices = await bySession("/v1/usage?group_by=session", alice.key);
    expect(alices[aliceSession]).toBeGreaterThanOrEqual(2);
    expect(bobSession in alices).toBe(false);
    // Filtering by another user's session finds nothing of theirs.
    const peek = await get(`/v1/usage?session_id=${aliceSession}`, { key: bob.key });
    expect(peek.status, peek.text).toBe(200);
    expect(peek.json.totals.requests).toBe(0);
    // The same label sent by two users stays two users' usage: Bob's own call counts for Bob only.
    await recorded(await chat(bob.key, aliceSession));
    expect(await bySession("/v1/usage?group_by=session", bob.key)).toEqual({
      [aliceSession]: 1,
      [bobSession]: 1,
    });
    // Admins see every user's sessions, and may filter to one.
    const all = await bySession("/v1/admin/usage?group_by=session");
    expect(all[bobSession]).toBe(1);
    expect(all[aliceSession]).toBe((alices[aliceSession] ?? 0) + 1);
    const one = await get(`/v1/admin/usage?session_id=${bobSession}&group_by=user`);
    expect(one.json.data).toEqual([expect.objectContaining({ key: bob.user.id, requests: 1 })]);
  });

  it("refuses a session_id filter that is no id", async () => {
    const res = await get(`/v1/usage?session_id=${"z".repeat(129)}`, { key: alice.key });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ type: "invalid_request_error", param: "session_id" });
  });
});
