import { z } from "@hono/zod-openapi";

/**
 * `known` for what a schema models, any other object as it is: for wire formats whose unknown
 * members must pass validation (a passthrough vendor takes them) while translation refuses them
 * by name. A failed zod union reports the one option that did not abort, or else only "Invalid
 * input": so the catch-all re-checks what `known` claims (a malformed known member is refused
 * naming its own field), and a failed `known` always aborts (else a refinement failure, which
 * does not, would leave two such options).
 */
export function openUnion<K extends z.ZodType, O extends z.ZodObject>(
  known: K,
  other: O,
  claims: (value: z.output<O>) => boolean,
) {
  const aborting = known.check((ctx) => {
    if (ctx.issues.length)
      ctx.issues.push({ code: "custom", message: "", input: ctx.value, continue: false });
  });
  return z.union([
    aborting,
    other.superRefine((value, ctx) => {
      if (!claims(value)) return;
      for (const issue of known.safeParse(value).error?.issues ?? [])
        ctx.addIssue({ ...issue, code: "custom" });
    }),
  ]);
}
