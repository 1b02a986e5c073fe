import { useEffect, useState } from "preact/hooks";

/** Views live under /console/<view>; the Worker serves the app for every such path. */
export const BASE = "/console";

export function currentView(): string {
  const rest = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : "";
  return rest.replace(/^\/+/, "").split("/")[0] ?? "";
}

export function navigate(view: string): void {
  const path = view ? `${BASE}/${view}` : BASE;
  if (location.pathname !== path) history.pushState(null, "", path);
  dispatchEvent(new PopStateEvent("popstate"));
}

export function useView(): string {
  const [view, setView] = useState(currentView);
  useEffect(() => {
    const update = () => setView(currentView());
    addEventListener("popstate", update);
    return () => removeEventListener("popstate", update);
  }, []);
  return view;
}
