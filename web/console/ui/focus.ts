import { useEffect, useRef } from "preact/hooks";

/**
 * A ref for a panel's heading (give it tabIndex={-1}) that takes focus when the panel opens:
 * forms open above the list, so a keyboard or screen-reader user is taken to them.
 */
export function useFocusOnMount<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => ref.current?.focus(), []);
  return ref;
}
