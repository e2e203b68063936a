// A button that sends a request: while it waits it is disabled (no double submit, Enter in the
// form included: a form whose default button is disabled does not submit), says what it is doing
// ("Saving…") and is marked aria-busy.
export function BusyButton({
  busy,
  busyText,
  children,
  disabled,
  ...props
}: React.ComponentProps<"button"> & { busy: boolean; busyText: string }) {
  return (
    <button {...props} disabled={busy || disabled} aria-busy={busy || undefined}>
      {busy ? busyText : children}
    </button>
  );
}
