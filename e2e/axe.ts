import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

// WCAG 2.0-2.2 A and AA rules; what matters here is that nothing serious or critical is left.
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const BLOCKING = new Set(["serious", "critical"]);

/**
 * Runs axe over the page in the light and the dark colour scheme (the app follows the system's),
 * once it has settled: a live table is dimmed until its feed connects, and axe measuring contrast
 * halfway through that fade reads colours no one is meant to look at.
 */
export async function expectNoSeriousViolations(page: Page) {
  for (const badge of await page.getByTestId("connection-state").all()) {
    await expect(badge).toHaveAttribute("data-state", "live");
  }
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await settled(page);
    const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
    const blocking = violations
      .filter((violation) => BLOCKING.has(violation.impact ?? ""))
      .map((violation) => ({
        rule: violation.id,
        impact: violation.impact,
        help: violation.help,
        where: violation.nodes.slice(0, 5).map((node) => `${node.target.join(" ")}: ${node.failureSummary}`),
      }));
    expect(blocking, `${page.url()} in the ${colorScheme} colour scheme`).toEqual([]);
  }
}

/** Waits for every transition and finite animation on the page to end (a pulsing dot never does). */
async function settled(page: Page) {
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => animation.effect?.getComputedTiming().iterations !== Infinity)
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  );
}
