/**
 * `node bench/usage-rows.ts`: bytes per usage row as D1 stores them (SQLite pages, indexes
 * included), measured on the real migrations, for the README's capacity figures. A raw row is one
 * call (usage_events); a daily row is one day × combination of the reports' dimensions
 * (usage_daily). Rows are shaped like real ones: ids of the gateway's format, 200 users with two
 * keys each, three vendors and four models, an alias on a third of the calls, a client session on
 * a third (each session ~30 calls, as an agent's are), two metadata tags on half the keys, 2%
 * failures; one day of calls.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";

const ROWS = 50_000;
const root = join(import.meta.dirname, "..");
const db = new DatabaseSync(":memory:");
db.exec("pragma page_size = 4096");
for (const file of readdirSync(join(root, "migrations"))
  .filter((f) => f.endsWith(".sql"))
  .sort()) {
  for (const statement of readFileSync(join(root, "migrations", file), "utf8").split(
    "--> statement-breakpoint",
  )) {
    if (statement.trim()) db.exec(statement);
  }
}

const bytes = () => (db.prepare("pragma page_count").get() as { page_count: number }).page_count * 4096;
const id = (prefix: string, i: number) => `${prefix}_01J${String(i).padStart(23, "0")}`;
const pick = <T>(list: T[], i: number) => list[i % list.length] as T;

db.exec("pragma foreign_keys = off");
const start = bytes();
db.exec("begin");
const insert = db.prepare(
  `insert into usage_events (id, request_id, user_id, api_key_id, route, vendor, upstream_model, alias,
     input_tokens, output_tokens, cached_tokens, cost_usd, latency_ms, ttft_ms, status, cache_hit,
     tokens_estimated, retries, fallback_used, error_code, session_id, key_metadata, created_at)
   values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const day0 = Date.parse("2026-11-01T00:00:00Z");
for (let i = 0; i < ROWS; i++) {
  const failed = i % 50 === 0;
  const user = i % 200;
  insert.run(
    id("use", i),
    `req_${crypto.randomUUID().replaceAll("-", "")}`,
    id("usr", user),
    id("key", user * 2 + (Math.floor(i / 200) % 2)),
    pick(["chat.completions", "messages", "responses", "embeddings"], i),
    pick(["openai", "anthropic", "gemini"], i),
    pick(["gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash", "text-embedding-3-small"], i),
    i % 3 === 0 ? "fast" : null,
    1200 + (i % 5000),
    300 + (i % 800),
    i % 4 === 0 ? 1024 : 0,
    0.000123 * (1 + (i % 17)),
    800 + (i % 3000),
    i % 2 ? 210 + (i % 400) : null,
    failed ? 502 : 200,
    i % 20 === 0 ? 1 : 0,
    0,
    failed ? 2 : 0,
    null,
    failed ? "upstream_unavailable" : null,
    i % 3 === 0 ? `sess-${user}-${Math.floor(i / 20_000)}` : null,
    // Half the users' keys carry two tags.
    user % 2 ? JSON.stringify({ team: `team-${user % 10}`, env: "prod" }) : null,
    day0 + Math.floor((i / ROWS) * 86_400_000),
  );
}
db.exec("commit");
const raw = (bytes() - start) / ROWS;

const before = bytes();
db.exec(`insert into usage_daily (day, user_id, api_key_id, vendor, upstream_model, alias, session_id, key_metadata, status,
    requests, cache_hits, input_tokens, output_tokens, cached_tokens, cost_usd, latency_sum_ms, latency_count)
  select strftime('%Y-%m-%d', created_at / 1000, 'unixepoch'), coalesce(user_id, ''), coalesce(api_key_id, ''),
    coalesce(vendor, ''), coalesce(upstream_model, ''), coalesce(alias, ''), coalesce(session_id, ''),
    coalesce(key_metadata, ''), status,
    count(*), sum(cache_hit), sum(input_tokens), sum(output_tokens), sum(cached_tokens), total(cost_usd),
    coalesce(sum(latency_ms), 0), count(latency_ms)
  from usage_events group by 1, 2, 3, 4, 5, 6, 7, 8, 9`);
const dailyRows = (db.prepare("select count(*) as n from usage_daily").get() as { n: number }).n;
const daily = (bytes() - before) / dailyRows;

console.log(
  JSON.stringify(
    {
      raw_rows: ROWS,
      bytes_per_raw_row: Math.round(raw),
      daily_rows: dailyRows,
      bytes_per_daily_row: Math.round(daily),
      calls_per_daily_row: Number((ROWS / dailyRows).toFixed(1)),
    },
    null,
    2,
  ),
);
