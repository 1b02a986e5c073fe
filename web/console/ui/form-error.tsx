import { useEffect, useRef } from "preact/hooks";
import { ApiError } from "../api";
import { namesField } from "../forms";
import { ErrorNote } from "./error-note";

/**
 * A form's error under its buttons. One that names a field of the form is shown on that field
 * (`fieldError`), and focus moves there; here it only says so, with the request id.
 */
export function FormError({ error, fields }: { error: unknown; fields: readonly string[] }) {
  const box = useRef<HTMLDivElement>(null);
  const onField = namesField(error, fields);
  useEffect(() => {
    if (!onField) return;
    const form = box.current?.closest("form");
    form?.querySelector<HTMLElement>(".invalid input, .invalid select, .invalid textarea")?.focus();
  }, [error, onField]);
  if (!onField) return <ErrorNote error={error} />;
  const requestId = error instanceof ApiError ? error.requestId : null;
  return (
    <div class="error" ref={box}>
      Not saved: see the field marked above.
      {requestId ? <span class="request-id"> (request {requestId})</span> : null}
    </div>
  );
}
