// An admin who has signed in on this browser before gets in at the first try while wrong
// passwords flood in from hundreds of other addresses, some of them at the admin's own email.
// Its own stack: the flood needs a trusted proxy (so X-Forwarded-For names each attempt's
// address) and fills the server's sign-in lanes, which the shared stack's other specs use.
import { startStack, type Server, type Stack } from "../scripts/stack";
import { expect, test } from "./fixtures";

let stack: Stack;
let server: Server;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  stack = await startStack({ env: { TRUSTED_PROXY_COUNT: "1" } });
  server = await stack.startServer({ env: { TRUSTED_PROXY_COUNT: "1" } });
});
test.afterAll(() => stack?.stop());

const url = (path: string) => `${server.baseUrl}${path}`;

// Bounded: at most this many attempts, this many in flight, on loopback; it stops by itself.
const FLOOD_ATTEMPTS = 1_000;
const FLOOD_IN_FLIGHT = 32;
// Documentation ranges (RFC 5737), as X-Forwarded-For from our trusted proxy: 3 x 92 = 276 addresses.
const floodAddress = (i: number) => `${["192.0.2", "198.51.100", "203.0.113"][i % 3]}.${1 + (Math.floor(i / 3) % 92)}`;

/** One wrong password for `email` from flood address `i`; its answer as "<status> <code>". */
async function guess(email: string, i: number) {
  const response = await fetch(url("/api/v1/session"), {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.baseUrl, "x-forwarded-for": floodAddress(i) },
    body: JSON.stringify({ email, password: `wrong-${i}` }),
  });
  return `${response.status} ${(await response.json()).error?.code ?? ""}`.trim();
}

/** Wrong passwords from many addresses until `stop()`, every 8th at `target`'s email; answers counted by guess()'s key. */
function startFlood(target: string) {
  const answers = new Map<string, number>();
  let sent = 0;
  let stopped = false;
  const one = async (i: number) => {
    const answer = await guess(i % 8 === 0 ? target : `guess-${i}@stockpulse.test`, i);
    answers.set(answer, (answers.get(answer) ?? 0) + 1);
  };
  const worker = async () => {
    while (!stopped && sent < FLOOD_ATTEMPTS) await one(sent++);
  };
  const workers = Promise.all(Array.from({ length: FLOOD_IN_FLIGHT }, worker));
  return {
    answers,
    stop: async () => {
      stopped = true;
      await workers;
    },
  };
}

test("under a flood of wrong passwords from 276 addresses, the admin on a known browser gets in at the first try", async ({
  page,
  context,
  browser,
}) => {
  test.setTimeout(180_000);
  const admin = stack.admin;
  // Once on this browser: it keeps a device cookie for the admin's account.
  await page.goto(url("/sign-in"));
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Generous waits: the machine may be busy; the test counts tries, not time.
  await expect(page.getByTestId("signed-in-as")).toContainText(admin.email, { timeout: 30_000 });
  expect((await context.cookies()).some((cookie) => cookie.name === "stockpulse_device")).toBe(true);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible({ timeout: 30_000 });

  // First guesses at the admin's own email, from five addresses: the account locks for new browsers.
  const guesses = await Promise.all(Array.from({ length: 5 }, (_, i) => guess(admin.email, i)));
  expect(guesses).toEqual(Array(5).fill("401 INVALID_CREDENTIALS"));
  expect(await guess(admin.email, 5)).toBe("429 TOO_MANY_ATTEMPTS");

  const flood = startFlood(admin.email);
  try {
    await page.goto(url("/sign-in"));
    // The flood has filled the password checks that browsers new to an account share.
    await expect.poll(() => flood.answers.get("429 SIGN_IN_BUSY") ?? 0, { timeout: 60_000 }).toBeGreaterThan(0);

    await page.getByLabel("Email").fill(admin.email);
    await page.getByLabel("Password").fill(admin.password);
    const answer = page.waitForResponse(
      (response) => response.url().endsWith("/api/v1/session") && response.request().method() === "POST",
      { timeout: 60_000 },
    );
    await page.getByRole("button", { name: "Sign in" }).click();
    expect((await answer).status()).toBe(200);
    await expect(page.getByTestId("signed-in-as")).toContainText(admin.email, { timeout: 30_000 });
  } finally {
    await flood.stop();
  }
  // The flood at the admin's email locked the account for every other browser meanwhile.
  const elsewhere = await browser.newContext();
  const response = await elsewhere.request.post(url("/api/v1/session"), {
    headers: { origin: server.baseUrl },
    data: { email: admin.email, password: admin.password },
  });
  expect(response.status()).toBe(429);
  expect((await response.json()).error.code).toBe("TOO_MANY_ATTEMPTS");
  await elsewhere.close();
});
