import { decryptSecret } from "../auth/secrets";
import type { OptionalConfig } from "../env";
import { GatewayError, invalidRequest } from "../errors/gateway-error";
import { timeoutError } from "../providers/http";
import { providerFor } from "../providers/registry";
import type { Provider, UpstreamContext } from "../providers/types";
import type { Vendor, VendorKey } from "../providers/vendor-directory";
import type { ResolvedModel } from "./resolve-model";

export const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_TIMEOUT_MS = 600_000;

/**
 * The request's timeout: `x-timeout-ms` header if given (bounded), else UPSTREAM_TIMEOUT_MS, else
 * 60 s. It covers the wait for the upstream's answer (for streams: for its first byte).
 */
export function timeoutFor(env: OptionalConfig, header: string | undefined): number {
  const raw = header ?? env.UPSTREAM_TIMEOUT_MS;
  if (raw === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1 || ms > MAX_TIMEOUT_MS) {
    throw invalidRequest(
      "invalid_timeout",
      `x-timeout-ms must be an integer from 1 to ${MAX_TIMEOUT_MS}.`,
      "x-timeout-ms",
    );
  }
  return ms;
}

/**
 * A key's value: the stored one decrypted, or the environment's; by default the vendor's first
 * (its primary). A 500 when it cannot be decrypted.
 */
export async function apiKeyOf(
  env: OptionalConfig,
  vendor: Vendor,
  key: VendorKey | undefined = vendor.keys[0],
): Promise<string | undefined> {
  if (!key?.encrypted) return key?.plain;
  try {
    return await decryptSecret(env.ENCRYPTION_KEY, key.encrypted, vendor.slug);
  } catch (cause) {
    throw new GatewayError(
      500,
      "internal_error",
      "vendor_key_unreadable",
      `The stored API key \`${key.id}\` of vendor \`${vendor.slug}\` cannot be decrypted; was ENCRYPTION_KEY changed? An admin can store it again.`,
      { cause },
    );
  }
}

/** A resolved model whose vendor can be called: its adapter and decrypted key. */
export interface PreparedVendor {
  resolved: ResolvedModel;
  provider: Provider;
  apiKey: string | undefined;
  /** Which of the vendor's keys (VendorKey.id), for the call record; null for keyless vendors. */
  keyId: string | null;
}

/** Checks the vendor can be called (adapter, key, base URL) and decrypts the key (by default its primary). */
export async function prepareVendor(
  env: OptionalConfig,
  resolved: ResolvedModel,
  key: VendorKey | undefined = resolved.vendor.keys[0],
): Promise<PreparedVendor> {
  const { vendor } = resolved;
  const provider = providerFor(vendor.kind);
  const apiKey = await apiKeyOf(env, vendor, key);
  if (provider.requiresApiKey && !apiKey) {
    throw new GatewayError(
      400,
      "invalid_request_error",
      "vendor_not_configured",
      `The vendor \`${vendor.slug}\` has no API key; an admin can set it with PATCH /v1/vendors/${vendor.slug} or the ${vendor.slug.toUpperCase()}_API_KEY secret.`,
      { param: "model" },
    );
  }
  if (vendor.kind !== "mock" && !vendor.baseUrl) {
    throw new GatewayError(
      400,
      "invalid_request_error",
      "vendor_not_configured",
      `The vendor \`${vendor.slug}\` has no base URL.`,
      {
        param: "model",
      },
    );
  }
  return { resolved, provider, apiKey, keyId: apiKey ? (key?.id ?? null) : null };
}

/**
 * One attempt's context: a signal that aborts when the client leaves or the timeout passes.
 * Every attempt (retries, fallbacks) gets its own clock.
 */
export function startAttempt(
  p: PreparedVendor,
  opts: { clientSignal?: AbortSignal; timeoutMs: number },
): { ctx: UpstreamContext; settle(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(timeoutError(opts.timeoutMs)), opts.timeoutMs);
  const client = opts.clientSignal;
  const onClientAbort = () => controller.abort(client?.reason);
  if (client?.aborted) onClientAbort();
  else client?.addEventListener("abort", onClientAbort, { once: true });
  return {
    ctx: { vendor: p.resolved.vendor, apiKey: p.apiKey, signal: controller.signal },
    settle() {
      clearTimeout(timer);
      client?.removeEventListener("abort", onClientAbort);
    },
  };
}
