// Sign-in throttling under concurrency, over real HTTP against two instances of one database:
// an attempt is counted before its password is checked, so concurrent guesses get no more
// checks than the limit, on any mix of instances; and a browser that has signed in to the
// account before is counted on its own, neither locked out by the account's or the address's
// failures nor let past its own.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_DEVICE, MAX_FAILURES_PER_EMAIL } from "../lib/auth/throttle";
import { signIn } from "./support/api";
import { startStack, type Server, type Stack } from "../scripts/stack";

let stack: Stack;
let servers: Server[]; // two instances behind one trusted proxy, so X-Forwarded-For names the client

before(async () => {
  stack = await startStack();
  servers = await Promise.all([1, 2].map(() => stack.startServer({ env: { TRUSTED_PROXY_COUNT: "1" } })));
});
after(() => stack?.stop());

type Outcome = { status: number; code?: string; retryAfter: number | null; setCookie: string };

/** One sign-in as a browser behind our proxy at `address` would send it (`cookie`: its device cookie). */
async function attempt(target: Server, email: string, password: string, address: string, cookie?: string) {
  const response = await fetch(`${target.baseUrl}/api/v1/session`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: target.baseUrl,
      "x-forwarded-for": address,
      ...(cookie ? { cookie } : {}),
    },
    body: JSON.stringify({ email, password }),
  });
  const body = await response.json();
  const retryAfter = response.headers.get("retry-after");
  return {
    status: response.status,
    code: body.error?.code,
    retryAfter: retryAfter === null ? null : Number(retryAfter),
    setCookie: response.headers.get("set-cookie") ?? "",
  } satisfies Outcome;
}

const newEmail = (what: string) => `${what}-${randomBytes(3).toString("hex")}@stockpulse.test`;
const count = (outcomes: Outcome[], status: number, code?: string) =>
  outcomes.filter((outcome) => outcome.status === status && (code === undefined || outcome.code === code)).length;

/** Every refusal is a 429 with a Retry-After within the 15-minute window. */
function assertRefusalsSayWhen(outcomes: Outcome[]) {
  for (const outcome of outcomes.filter(({ status }) => status !== 401)) {
    assert.equal(outcome.status, 429, JSON.stringify(outcome));
    assert.ok(
      outcome.retryAfter !== null && outcome.retryAfter >= 1 && outcome.retryAfter <= 900,
      `${outcome.retryAfter}`,
    );
  }
}

/** A device cookie for `email`, as the browser keeps it after signing in there once. */
async function deviceCookie(email: string, password: string) {
  const first = await signIn(servers[0].baseUrl, email, password);
  assert.equal(first.status, 200);
  const cookie = /(stockpulse_device=[^;]+)/.exec(first.setCookie)?.[1];
  assert.ok(cookie, `a device cookie in ${first.setCookie}`);
  return cookie;
}

describe("an attempt is counted before its password is checked", () => {
  test("12 concurrent wrong passwords for one email, on two instances: 5 are checked (401), 7 refused (429)", async () => {
    const email = newEmail("raced");
    const password = await stack.addUser(email, "admin");
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => attempt(servers[i % 2], email, `guess-${i}`, `203.0.113.${i + 1}`)),
    );
    assert.equal(count(outcomes, 401), MAX_FAILURES_PER_EMAIL, JSON.stringify(outcomes));
    assert.equal(count(outcomes, 429, "TOO_MANY_ATTEMPTS"), 12 - MAX_FAILURES_PER_EMAIL);
    assertRefusalsSayWhen(outcomes);
    assert.equal(await stack.db.signInFailure.count({ where: { email } }), MAX_FAILURES_PER_EMAIL);
    // The account stays locked for a browser new to it, even with the right password.
    assert.equal((await attempt(servers[1], email, password, "203.0.113.99")).status, 429);
  });

  test("30 concurrent wrong passwords from one address, on two instances: at most 20 are checked", async () => {
    const address = "198.51.100.30";
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, (_, i) => attempt(servers[i % 2], newEmail("spray"), "wrong-password", address)),
    );
    const checked = count(outcomes, 401);
    assert.ok(checked >= 1 && checked <= MAX_FAILURES_PER_ADDRESS, `${checked} checked: ${JSON.stringify(outcomes)}`);
    // The rest are throttled, or refused as busy when more reach one instance than its lane holds.
    const refused = count(outcomes, 429, "TOO_MANY_ATTEMPTS") + count(outcomes, 429, "SIGN_IN_BUSY");
    assert.equal(checked + refused, 30, JSON.stringify(outcomes));
    assertRefusalsSayWhen(outcomes);
    // Attempts refused as busy were never checked, so they are not counted either.
    assert.equal(await stack.db.signInFailure.count({ where: { address } }), checked);
  });

  test("the right password clears its lane's failures; a wrong one after that starts again from one", async () => {
    const email = newEmail("cleared");
    const password = await stack.addUser(email, "viewer");
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL - 1; i++) {
      assert.equal((await attempt(servers[i % 2], email, `guess-${i}`, "192.0.2.10")).status, 401);
    }
    assert.equal((await attempt(servers[0], email, password, "192.0.2.10")).status, 200);
    assert.equal(await stack.db.signInFailure.count({ where: { email } }), 0);
    assert.equal((await attempt(servers[1], email, "guess-again", "192.0.2.10")).status, 401);
  });
});

describe("a browser that has signed in to the account before is counted on its own", () => {
  test("its own wrong passwords lock that device after 5, from any address; not the account for other browsers", async () => {
    const email = newEmail("device");
    const password = await stack.addUser(email, "admin");
    const cookie = await deviceCookie(email, password);
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => attempt(servers[i % 2], email, `guess-${i}`, `192.0.2.${20 + i}`, cookie)),
    );
    assert.equal(count(outcomes, 401), MAX_FAILURES_PER_DEVICE, JSON.stringify(outcomes));
    assertRefusalsSayWhen(outcomes);
    // A stolen device cookie does not make guesses unlimited by spreading them over addresses.
    const locked = await attempt(servers[0], email, password, "192.0.2.40", cookie);
    assert.equal(locked.status, 429);
    assert.equal(locked.code, "TOO_MANY_ATTEMPTS");
    // The account itself is not locked: a browser new to it signs in.
    assert.equal((await attempt(servers[1], email, password, "192.0.2.41")).status, 200);
  });

  test("neither the account's lockout nor its address's lets a flood lock it out", async () => {
    const email = newEmail("boss");
    const password = await stack.addUser(email, "admin");
    const cookie = await deviceCookie(email, password);
    const office = "198.51.100.50"; // the shop's one public address, shared with whoever floods
    // In rounds of 12 (6 an instance, fewer than a lane holds), so every attempt is checked or throttled.
    for (let round = 0; round < 3; round++) {
      const flood = await Promise.all([
        ...Array.from({ length: 4 }, (_, i) => attempt(servers[i % 2], email, `guess-${i}`, `203.0.113.${100 + i}`)),
        ...Array.from({ length: 8 }, (_, i) => attempt(servers[i % 2], newEmail("nat"), "wrong", office)),
      ]);
      assertRefusalsSayWhen(flood);
    }
    assert.equal((await attempt(servers[0], email, password, office)).status, 429, "the account is locked");
    assert.equal((await attempt(servers[1], newEmail("nat"), "wrong", office)).status, 429, "the address is locked");
    const known = await attempt(servers[1], email, password, office, cookie);
    assert.equal(known.status, 200, JSON.stringify(known));
    assert.doesNotMatch(known.setCookie, /stockpulse_device=/, "the browser keeps its device cookie");
  });
});
