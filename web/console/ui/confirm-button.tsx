import { useLayoutEffect, useRef, useState } from "preact/hooks";

/**
 * A destructive action in two steps: the button asks, then "Yes, delete" does it (or Cancel).
 * Focus follows the question, so a keyboard user stays where they were. While it runs the button
 * is disabled and says `busyLabel`. `onConfirm` reports its own errors.
 */
export function ConfirmButton({
  label,
  question,
  busyLabel = "Deleting…",
  onConfirm,
}: {
  label: string;
  question: string;
  busyLabel?: string;
  onConfirm: () => Promise<unknown>;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  const ask = useRef<HTMLButtonElement>(null);
  const moved = useRef(false);
  useLayoutEffect(() => {
    if (!moved.current) return;
    (asking ? yes : ask).current?.focus();
  }, [asking]);

  const toggle = (on: boolean) => {
    moved.current = true;
    setAsking(on);
  };
  if (!asking) {
    return (
      <button type="button" class="danger" ref={ask} onClick={() => toggle(true)}>
        {label}
      </button>
    );
  }
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      toggle(false);
    }
  };
  return (
    <span class="confirm">
      <span>{question}</span>
      <button type="button" class="danger" ref={yes} disabled={busy} onClick={() => void confirm()}>
        {busy ? busyLabel : `Yes, ${label.toLowerCase()}`}
      </button>
      <button type="button" disabled={busy} onClick={() => toggle(false)}>
        Cancel
      </button>
    </span>
  );
}
