import type { VendorKind } from "../../providers/kinds";
import type { Vendor, VendorKey } from "../../providers/vendor-directory";
import { weightedOrder } from "./weighted-order";

/**
 * Which of a vendor's keys a call uses: one by weight (the same one for a session, so a vendor's
 * prompt cache keeps hitting), skipping keys the vendor refused a moment ago. A refused key is
 * skipped for REFUSED_MS by this isolate at once, and by every isolate once the refusal, recorded
 * in D1, reaches them with the vendor's row (src/db/queries/vendor-keys.ts).
 */
export const REFUSED_MS = 5 * 60_000;

/** `vendor\nkey id` → until when this isolate skips it. */
const refused = new Map<string, number>();
const refusedKey = (vendor: string, keyId: string) => `${vendor}\n${keyId}`;

/** Whether the key may be used now: neither this isolate nor the record says it was refused. */
function usable(vendor: Vendor, key: VendorKey, now: number): boolean {
  const until = Math.max(refused.get(refusedKey(vendor.slug, key.id)) ?? 0, key.disabledUntil ?? 0);
  return until <= now;
}

/**
 * The vendor's keys in the order a call tries them: the usable ones by weight (or the session's
 * rendezvous order); when every key was refused, all of them, since one may have been fixed since
 * and an attempt says more than refusing the call.
 */
export function keyOrder(vendor: Vendor, session: string | null, now = Date.now()): VendorKey[] {
  const ok = vendor.keys.filter((k) => usable(vendor, k, now));
  return weightedOrder(
    ok.length > 0 ? ok : vendor.keys,
    (k) => k.id,
    (k) => k.weight,
    session,
  );
}

/** Skips the key in this isolate from now; returns until when (to record). */
export function refuseKey(vendor: string, keyId: string, now = Date.now()): number {
  const until = now + REFUSED_MS;
  if (refused.size > 1000) refused.clear();
  refused.set(refusedKey(vendor, keyId), until);
  return until;
}

/** When this isolate skips the key until (for GET /v1/vendors/{slug}, beside the record). */
export const refusedUntil = (vendor: string, keyId: string): number | undefined =>
  refused.get(refusedKey(vendor, keyId));

/**
 * Vendors whose 403 means "this key may not", not "this request may not": Anthropic's
 * permission_error and Google's PERMISSION_DENIED are about the key. OpenAI's 403 is about the
 * caller's region, which another key would not change.
 * @see https://docs.anthropic.com/en/api/errors
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting
 */
const KEY_403_KINDS: ReadonlySet<VendorKind> = new Set(["anthropic", "gemini"]);

/** The vendor refused the call's key as unauthorised (its own status, before our mapping to 502). */
export function refusesKey(kind: VendorKind, err: unknown): boolean {
  const status = (err as { upstreamStatus?: unknown } | null)?.upstreamStatus;
  return status === 401 || (status === 403 && KEY_403_KINDS.has(kind));
}
