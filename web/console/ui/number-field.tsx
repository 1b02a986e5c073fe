import { Field } from "./field";

/** A labelled number input; its value stays text, so empty means "not given". */
export function NumberField({
  label,
  value,
  onInput,
  error,
  hint,
  step = "any",
}: {
  label: string;
  value: string;
  onInput: (v: string) => void;
  error?: string | null;
  hint?: string;
  step?: string;
}) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(id, describedBy) => (
        <input
          id={id}
          type="number"
          step={step}
          inputMode="decimal"
          value={value}
          aria-describedby={describedBy}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}
