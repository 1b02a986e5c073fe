import { useState } from "preact/hooks";

/**
 * The state every editable list shares: which panel is open (a form, a test), the notice of the
 * last change and the last error. The notice comes once the list was read again, so what it says
 * is what is on screen.
 */
export function useListActions<P>(reload: () => Promise<void>) {
  const [panel, setPanel] = useState<P | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const show = (next: P | null) => {
    setNotice(null);
    setError(null);
    setPanel(next);
  };
  const done = async (what: string) => {
    setPanel(null);
    setNotice(null);
    await reload();
    setNotice(what);
  };
  /** Runs a change (a delete); on success the list is read again and `what` shown. */
  const act = async (change: () => Promise<unknown>, what: string) => {
    setError(null);
    try {
      await change();
      await done(what);
    } catch (err) {
      setError(err);
    }
  };
  return { panel, notice, error, show, done, act };
}
