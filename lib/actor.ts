// Who made a change: the audit trail's "who" (ProductEvent.actor). Auth decides it (a token's
// name, a signed-in user's email); the writes record it. It lives below both, so neither
// imports the other for it.
export type Actor = { name: string };
