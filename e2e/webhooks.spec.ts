import { startReceiver, type Receiver } from "../tests/support/webhook-receiver";
import { expectNoSeriousViolations } from "./axe";
import { expect, test } from "./fixtures";
import { signIn } from "./support";

let receiver: Receiver;
test.beforeAll(async () => {
  receiver = await startReceiver();
});
test.afterAll(() => receiver?.close());

test("an admin creates a webhook, sees its secret once, sends a test event and finds it in the log", async ({
  page,
  staff,
}) => {
  const admin = await staff.admin();
  await signIn(page, admin, "/admin/webhooks");
  await expect(page.getByRole("heading", { name: "Webhooks" })).toBeVisible();

  await page.getByLabel("Endpoint URL").fill("ftp://example.com/hook");
  await page.getByRole("button", { name: "Create webhook" }).click();
  const urlError = page.locator("#webhook-url-error");
  await expect(urlError).toContainText("http or https");
  // Said once, next to the field; the form's status only says where to look.
  await expect(page.getByRole("main").getByText((await urlError.textContent())!)).toHaveCount(1);
  await expect(page.getByRole("status").filter({ hasText: "Not created" })).toHaveText(
    "Not created: check the endpoint URL.",
  );

  const url = receiver.url("/from-the-browser");
  await page.getByLabel("Endpoint URL").fill(url);
  await page.getByLabel("Events").selectOption("threshold");
  await page.getByRole("button", { name: "Create webhook" }).click();
  const secretBox = page.getByTestId("webhook-secret");
  await expect(secretBox).toContainText("only this once");
  const secret = (await secretBox.locator("code").textContent())!;
  expect(secret).toMatch(/^whsec_/);
  // One click copies it, and the page says so (a status, announced).
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await secretBox.getByRole("button", { name: "Copy secret" }).click();
  await expect(page.getByRole("status").filter({ hasText: /^Copied$/ })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await expectNoSeriousViolations(page);
  await expect(page.getByRole("link", { name: url })).toBeVisible();

  await secretBox.getByRole("link", { name: /Open webhook/ }).click();
  await expect(page.getByRole("heading", { name: /^Webhook \d+$/ })).toBeVisible();
  await expect(page.getByTestId("webhook-status")).toHaveText("Active");
  await expect(page.getByText("Nothing delivered yet.")).toBeVisible();
  // Shown once: the subscription's own page never has it.
  await expect(page.getByText(secret)).toHaveCount(0);
  await page.reload();
  await expect(page.getByText(secret)).toHaveCount(0);

  await page.getByRole("button", { name: "Send test event" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Test event delivered: HTTP 200" })).toBeVisible();
  const log = page.getByTestId("delivery-log");
  await expect(log.getByRole("row")).toHaveCount(2);
  await expect(log).toContainText("test event");
  await expect(log).toContainText("OK: HTTP 200");
  expect(receiver.requests("/from-the-browser")).toHaveLength(1);

  await page.getByRole("button", { name: "Pause" }).click();
  await expect(page.getByTestId("webhook-status")).toHaveText("Paused");
  await expect(page.getByTestId("paused-reason")).toHaveText(`paused by ${admin.email}`);
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(page.getByTestId("webhook-status")).toHaveText("Active");
});
