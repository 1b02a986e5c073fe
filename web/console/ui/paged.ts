import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Page } from "../api";

/**
 * A cursor-paginated list: the first page on mount (and on `reload`), the next on `more`, with
 * the API's own `next_cursor`.
 */
export function usePaged<T>(fetchPage: (cursor: string | null) => Promise<Page<T>>, deps: unknown[] = []) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const generation = useRef(0);

  const load = useCallback(async (from: string | null, append: boolean) => {
    const mine = ++generation.current;
    setLoading(true);
    setError(null);
    try {
      const page = await fetchPage(from);
      if (mine !== generation.current) return;
      setItems((old) => (append ? [...old, ...page.data] : page.data));
      setCursor(page.next_cursor);
    } catch (err) {
      if (mine === generation.current) setError(err);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, deps);

  useEffect(() => {
    void load(null, false);
  }, [load]);

  return {
    items,
    loading,
    error,
    hasMore: cursor !== null,
    more: () => (cursor ? load(cursor, true) : Promise.resolve()),
    reload: () => load(null, false),
  };
}
