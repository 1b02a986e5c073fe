/** "Load more" under a list, while there is a next page. */
export function Pager({
  hasMore,
  loading,
  more,
}: {
  hasMore: boolean;
  loading: boolean;
  more: () => unknown;
}) {
  if (!hasMore && !loading) return null;
  return (
    <div class="pager">
      {loading ? (
        <span class="busy" role="status">
          Loading…
        </span>
      ) : (
        <button type="button" onClick={() => void more()}>
          Load more
        </button>
      )}
    </div>
  );
}
