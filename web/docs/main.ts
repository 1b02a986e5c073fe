/**
 * The API reference, from the document the Worker serves. Scalar's features that call its own
 * services are off (the AI agent, telemetry, its CORS proxy, fonts from fonts.scalar.com): the
 * page must work offline and run nothing from another origin.
 */
interface ScalarGlobal {
  createApiReference(selector: string, config: Record<string, unknown>): unknown;
}

const scalar = (window as unknown as { Scalar?: ScalarGlobal }).Scalar;
if (!scalar) throw new Error("Scalar's standalone script did not load");
scalar.createApiReference("#app", {
  url: "/openapi.json",
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  showDeveloperTools: "never",
  persistAuth: false,
  // Requests from "Try it" go straight to this origin, never through proxy.scalar.com.
  proxyUrl: "",
  hideClientButton: false,
});
