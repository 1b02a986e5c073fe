import type { ChatRequest } from "../chat/types";
import type { Db } from "../db/client";
import { HISTORY_LIMIT, loadTurnContext } from "../db/queries/messages";
import type { PrefetchedTurn } from "../db/queries/turn-prefetch";
import type { StoredContentPart } from "../db/schema";
import type { OptionalConfig } from "../env";
import { notFound } from "../errors/gateway-error";
import type { ResolvedModel } from "../gateway/resolve-model";
import { resolveModel, rowsFor } from "../gateway/resolve-model";
import { prepareVendor } from "../gateway/upstream-call";
import { type NewContent, readUserContent, storedToChatMessage, titleFrom } from "./content";
import { buildPrompt } from "./prompt";
import { chooseModel, turnSettings } from "./settings";

/** The title conversations get when created without one (src/routes/conversations.ts). */
export const DEFAULT_TITLE = "New conversation";

export interface SendMessageInput {
  content: NewContent;
  stream: boolean;
  model?: string | undefined;
  temperature?: number | undefined;
  max_tokens?: number | undefined;
}

/** One exchange, ready to send: the upstream call, the prompt, and what storing it needs. */
export interface Turn {
  env: OptionalConfig;
  db: Db;
  conversationId: string;
  /** The model the turn asked for (retries and fallbacks may end with another). */
  requested: ResolvedModel & { model: string };
  request: ChatRequest;
  /** Room held for the answer, for the budget estimate: the longest answer allowed. */
  reserveTokens: number;
  /** The new message as stored. */
  content: StoredContentPart[];
  receivedAt: Date;
  /** A title for a conversation still named DEFAULT_TITLE; undefined to leave it. */
  title: string | undefined;
}

/**
 * Everything before the upstream call: the body's images are checked first (no I/O), then one
 * batch reads the conversation, its persona and its history (usually read by auth already); the
 * model is resolved and the prompt built. Nothing is stored yet: a request refused here leaves
 * no trace.
 */
export async function prepareTurn(
  env: OptionalConfig,
  db: Db,
  where: { conversationId: string; userId: string },
  input: SendMessageInput,
  opts: {
    prefetched?: PrefetchedTurn | undefined;
    /** Refuses a model the calling key may not use, before it is resolved (key-scope.ts). */
    allowModel?: (model: string) => void;
  },
): Promise<Turn> {
  const receivedAt = new Date();
  const user = readUserContent(input.content);
  // Auth usually read all of this with the key, in the same round trip (turn-prefetch.ts).
  const prefetched =
    opts.prefetched?.conversationId === where.conversationId && opts.prefetched.ownerId === where.userId
      ? opts.prefetched
      : undefined;
  const context = prefetched
    ? prefetched.context
    : await loadTurnContext(db, where.conversationId, where.userId, HISTORY_LIMIT);
  if (!context) throw notFound("conversation", "id");
  const { conversation, persona } = context;
  const model = chooseModel(input.model, conversation, persona);
  opts.allowModel?.(model);
  const resolved = await resolveModel(
    env,
    db,
    model,
    "model",
    prefetched && {
      model,
      rows: rowsFor(model, prefetched.configs, prefetched.vendors, prefetched.vendorKeys),
    },
  );
  const settings = turnSettings(input, persona, resolved.config, user.hasImages);
  const prompt = buildPrompt({
    systemPrompt: persona?.systemPrompt ?? null,
    history: context.history.map((m) => storedToChatMessage(m, { vision: settings.vision })),
    next: { role: "user", content: user.parts },
    contextWindow: settings.contextWindow,
    reserveTokens: settings.reserveTokens,
  });
  const request: ChatRequest = { model: resolved.upstreamModel, messages: prompt.messages };
  if (settings.temperature !== undefined) request.temperature = settings.temperature;
  if (settings.maxTokens !== undefined) request.maxTokens = settings.maxTokens;
  // Refuses an unusable vendor (no key, no base URL) before anything is held or stored.
  await prepareVendor(env, resolved);
  return {
    env,
    db,
    conversationId: conversation.id,
    requested: { ...resolved, model },
    request,
    reserveTokens: settings.reserveTokens,
    content: user.stored,
    receivedAt,
    title: conversation.title === DEFAULT_TITLE ? titleFrom(user.stored) : undefined,
  };
}
