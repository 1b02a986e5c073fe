import { z } from "@hono/zod-openapi";
import { MAX_TAG_VALUE_LENGTH, MAX_TAGS, patternProblem, patternsWithin, TAG_NAME } from "../auth/key-scope";
import { isAdmin, type Principal } from "../auth/principal";
import type { ApiKeyRow } from "../db/schema";
import { forbidden } from "../errors/gateway-error";
import { hasLimits } from "../gateway/budget-window";
import { identifier } from "../openapi/strings";
import { BudgetsInputSchema, BudgetsSchema, budgetsOf } from "./budget-limits";

/**
 * An API key's scopes as the API reads and writes them (src/auth/key-scope.ts holds what they
 * mean), and who may set which.
 */

const MAX_MODEL_PATTERNS = 100;

export const MODELS_DESCRIPTION =
  "Models this key may call: exact model strings (`fast`, `mock/echo`) or patterns ending in `*` that match any " +
  "suffix (`anthropic/*`, `gpt-4o*`; `*` alone is everything); null = every model. Checked on the model the client " +
  "asks for (an alias or `vendor/model`) on every model route, before anything is read or held: anything else is a " +
  "403 `model_not_allowed` naming the model. Fallbacks an admin configured on an allowed alias stay allowed " +
  "(they are not the client's choice). `GET /v1/models` lists only what the key may use.";

const ModelPatternSchema = identifier()
  .max(200)
  .superRefine((pattern, ctx) => {
    const problem = patternProblem(pattern);
    if (problem) ctx.addIssue({ code: "custom", message: `model pattern ${problem}` });
  });

export const ModelsSchema = z
  .array(ModelPatternSchema)
  .max(MAX_MODEL_PATTERNS)
  .nullable()
  .openapi({ example: ["fast", "anthropic/*"], description: MODELS_DESCRIPTION });

export const METADATA_DESCRIPTION =
  `String tags copied into each usage record of the key as they are at call time (\`/v1/usage\` groups by one with ` +
  `\`group_by=tag:<name>\` and filters with \`tag=<name>:<value>\`): at most ${MAX_TAGS} entries, names ` +
  `\`[a-z0-9_.-]{1,40}\`, values up to ${MAX_TAG_VALUE_LENGTH} characters; null = none.`;

export const MetadataSchema = z
  .record(
    z.string().regex(TAG_NAME, "tag names must match `[a-z0-9_.-]{1,40}`"),
    identifier().max(MAX_TAG_VALUE_LENGTH),
  )
  .refine((tags) => Object.keys(tags).length <= MAX_TAGS, `at most ${MAX_TAGS} tags`)
  .nullable()
  .openapi({ example: { team: "search", env: "prod" }, description: METADATA_DESCRIPTION });

export const KEY_BUDGETS_DESCRIPTION =
  "The key's own budgets, held beside its user's (the same shape and guarantee): a call must fit both, and the " +
  "429 `budget_exceeded` says whether the key's or the user's budget refused it. Only admins may set them.";

/** What a key's scopes look like in answers. */
export const scopeFields = {
  models: z
    .array(z.string())
    .nullable()
    .openapi({ example: ["fast", "anthropic/*"], description: MODELS_DESCRIPTION }),
  budgets: BudgetsSchema.openapi({ description: KEY_BUDGETS_DESCRIPTION }),
  metadata: z
    .record(z.string(), z.string())
    .nullable()
    .openapi({ example: { team: "search" }, description: METADATA_DESCRIPTION }),
};

/** What a key's scopes look like in writes. */
export const scopeInputFields = {
  models: ModelsSchema.optional(),
  budgets: BudgetsInputSchema.optional().openapi({ description: KEY_BUDGETS_DESCRIPTION }),
  metadata: MetadataSchema.optional(),
};

export const scopeOfRow = (k: ApiKeyRow) => ({
  models: k.models,
  budgets: budgetsOf(k),
  metadata: k.metadata,
});

/**
 * Who may give a new key which scopes: admins any; a user, for itself, a models list and tags but
 * no budgets, and never more than the key it calls with (a scoped key cannot mint a wider one:
 * a models-scoped key only keys within its own list, a key with its own budgets none at all, as
 * a new key would escape them).
 */
export function assertMayCreate(p: Principal, wanted: { models: string[] | null; budgets: boolean }): void {
  if (isAdmin(p) || p.kind !== "user") return;
  if (wanted.budgets) throw forbidden("admin_required", "Only an admin may set an API key's budgets.");
  if (hasLimits(p.scope.budgets)) {
    throw forbidden(
      "scope_escalation",
      "This API key has budgets of its own, so it may not create API keys: they would not be bound by them.",
    );
  }
  const own = p.scope.models;
  if (own === null) return;
  if (wanted.models === null || !patternsWithin(wanted.models, own)) {
    throw forbidden(
      "scope_escalation",
      `This API key may only create keys whose \`models\` stay within its own (${own.map((m) => `\`${m}\``).join(", ")}).`,
    );
  }
}
