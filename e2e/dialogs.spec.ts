// Confirmations are modal dialogs (native <dialog>, showModal): opening one moves focus into it
// (to Cancel, the safe answer), Escape closes it having done nothing, and focus goes back to the
// button that opened it.
import { startReceiver, type Receiver } from "../tests/support/webhook-receiver";
import { expectNoSeriousViolations } from "./axe";
import { adminToken, expect, test } from "./fixtures";
import { signInAs, waitLive } from "./support";

test("the archive confirmation: focus moves in, Escape closes it and archives nothing, focus returns to Archive", async ({
  page,
  request,
  shop,
  staff,
}) => {
  const product = await shop.product({ name: "Cinnamon syrup" });
  await signInAs(page, staff, "admin");
  await page.goto(`/admin/products/${product.id}`);
  await waitLive(page);
  const opener = page.getByRole("button", { name: "Archive", exact: true });
  const dialog = page.getByRole("dialog", { name: `Archive ${product.name}?` });

  await opener.click();
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(product.sku);
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await expectNoSeriousViolations(page);
  // Modal: Tab stays in the dialog.
  await page.keyboard.press("Shift+Tab");
  await expect(dialog.getByRole("button", { name: `Archive ${product.name}` })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
  const kept = await request.get(`/api/v1/products/${product.id}`);
  expect((await kept.json()).archivedAt).toBeNull();

  // From the keyboard: Enter opens it, Cancel closes it, focus comes back again.
  await page.keyboard.press("Enter");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();

  await opener.click();
  await dialog.getByRole("button", { name: `Archive ${product.name}` }).click();
  await expect(page.getByTestId("archived-banner")).toContainText("Archived on");
});

let receiver: Receiver;
test.beforeAll(async () => {
  receiver = await startReceiver();
});
test.afterAll(() => receiver?.close());

test("deleting a webhook asks in a dialog: Escape keeps it and gives focus back, confirming deletes it", async ({
  page,
  request,
  staff,
}) => {
  const created = await request.post("/api/v1/webhooks", {
    headers: { authorization: `Bearer ${adminToken()}` },
    data: { url: receiver.url("/to-delete") },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = await created.json();
  await signInAs(page, staff, "admin");
  await page.goto(`/admin/webhooks/${id}`);
  const opener = page.getByRole("button", { name: "Delete", exact: true });
  const dialog = page.getByRole("dialog", { name: `Delete webhook ${id}?` });

  await opener.click();
  await expect(dialog).toContainText(receiver.url("/to-delete"));
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
  expect(
    (await request.get(`/api/v1/webhooks/${id}`, { headers: { authorization: `Bearer ${adminToken()}` } })).status(),
  ).toBe(200);

  await opener.click();
  await dialog.getByRole("button", { name: `Delete webhook ${id}` }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Webhooks" })).toBeVisible();
  expect(
    (await request.get(`/api/v1/webhooks/${id}`, { headers: { authorization: `Bearer ${adminToken()}` } })).status(),
  ).toBe(404);
});

test("while the archive is on its way, Escape (even pressed again) keeps the dialog open: it cannot look cancelled", async ({
  page,
  request,
  shop,
  staff,
}) => {
  const product = await shop.product({ name: "Hazelnut syrup" });
  await signInAs(page, staff, "admin");
  await page.goto(`/admin/products/${product.id}`);
  await waitLive(page);
  // The archive request is held until the test lets it go, so the dialog stays busy meanwhile.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let sent!: () => void;
  const requestSent = new Promise<void>((resolve) => (sent = resolve));
  await page.route(`**/api/v1/products/${product.id}/archive`, async (route) => {
    sent();
    await released;
    await route.continue();
  });
  const dialog = page.getByRole("dialog", { name: `Archive ${product.name}?` });
  await page.getByRole("button", { name: "Archive", exact: true }).click();
  await dialog.getByRole("button", { name: `Archive ${product.name}` }).click();
  await requestSent;
  await expect(dialog.getByRole("button", { name: "Archiving…" })).toBeDisabled();
  // Chromium lets a page refuse Escape once per user activation: the second one closes a
  // dialog that only refuses it (its cancel event cannot be cancelled then).
  for (let press = 0; press < 3; press++) {
    await page.keyboard.press("Escape");
    await expect(dialog.getByRole("button", { name: "Archiving…" })).toBeVisible();
  }
  release();
  await expect(page.getByTestId("archived-banner")).toContainText("Archived on");
  await expect(dialog).toBeHidden();
  expect((await (await request.get(`/api/v1/products/${product.id}`)).json()).archivedAt).not.toBeNull();
});
