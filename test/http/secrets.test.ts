import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { ADMIN_KEY, createUser, get, patch, post } from "../helpers";

/**
 * A sweep over every readable route, as the admin and as users: no response ever carries an API
 * key, a key hash, a vendor key (plaintext or ciphertext) or ADMIN_API_KEY.
 */
it("never returns a secret from any route", async () => {
  const admin = await createUser({ role: "admin" });
  const user = await createUser();
  const vendorKey = "sk-vendor-plaintext-0123456789abcdef";
  expect(
    (
      await post("/v1/vendors", {
        slug: "groq",
        kind: "openai-compatible",
        // A mock host that lists models, so the sweep's /v1/models decrypts and sends this key.
        base_url: `${env.MOCK_UPSTREAM_URL}/listing/ok/v1`,
        api_key: vendorKey,
      })
    ).status,
  ).toBe(201);
  expect((await patch("/v1/vendors/openai", { api_key: "sk-openai-stored-key-abcdef" })).status).toBe(200);
  expect(
    (await post("/v1/model-configs", { alias: "fast", vendor: "groq", upstream_model: "llama-3.3-70b" }))
      .status,
  ).toBe(201);
  const persona = await post(
    "/v1/personas",
    { name: "P", system_prompt: "Be brief.", model: "fast" },
    { key: user.key },
  );
  expect(persona.status).toBe(201);
  const conversation = await post("/v1/conversations", { persona_id: persona.json.id }, { key: user.key });
  expect(conversation.status).toBe(201);

  const hashes = (await env.DB.prepare("select hash from api_keys").all<{ hash: string }>()).results.map(
    (r) => r.hash,
  );
  const ciphertexts = (
    await env.DB.prepare(
      "select api_key_encrypted as c from vendors where api_key_encrypted is not null",
    ).all<{ c: string }>()
  ).results.map((r) => r.c);
  expect(hashes.length).toBeGreaterThanOrEqual(2);
  expect(ciphertexts).toHaveLength(2);
  const secrets = [
    ADMIN_KEY,
    admin.key,
    user.key,
    vendorKey,
    "sk-openai-stored-key-abcdef",
    ...hashes,
    ...ciphertexts,
  ];

  const paths = [
    "/v1/me",
    "/v1/users",
    `/v1/users/${user.user.id}`,
    `/v1/users/${user.user.id}/api-keys`,
    `/v1/users/${admin.user.id}/api-keys`,
    "/v1/vendors",
    "/v1/vendors/groq",
    "/v1/vendors/openai",
    "/v1/model-configs",
    "/v1/model-configs/fast",
    "/v1/models",
    "/v1/personas",
    `/v1/personas/${persona.json.id}`,
    "/v1/conversations",
    `/v1/conversations/${conversation.json.id}`,
    `/v1/conversations/${conversation.json.id}/messages`,
    "/openapi.json",
    "/health",
  ];
  let checked = 0;
  for (const key of [ADMIN_KEY, admin.key, user.key]) {
    for (const path of paths) {
      const res = await get(path, { key });
      for (const secret of secrets) expect(res.text, `${path} leaks a secret`).not.toContain(secret);
      if (res.status === 200) checked += 1;
    }
  }
  // Most routes answered (some are admin-only or user-only), so the sweep looked at real bodies.
  expect(checked).toBeGreaterThan(35);
});
