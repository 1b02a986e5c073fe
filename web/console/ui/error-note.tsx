import { ApiError } from "../api";

/** An error as the API gave it: its message, and the request id to quote to an operator. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const requestId = error instanceof ApiError ? error.requestId : null;
  return (
    <div class="error" role="alert">
      <span>{message}</span>
      {requestId ? <span class="request-id"> (request {requestId})</span> : null}
    </div>
  );
}

/** The message of a server validation error when it names this field (`param`), else null. */
export function fieldError(error: unknown, ...params: string[]): string | null {
  if (!(error instanceof ApiError) || !error.param) return null;
  const param = error.param;
  return params.some((p) => param === p || param.startsWith(`${p}.`)) ? error.message : null;
}
