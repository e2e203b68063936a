// The arrow a live change leaves in a price or stock cell (▲/▼, so colour is not the only
// signal) must be readable: at least 4.5:1 against the cell behind it, while the cell is
// highlighted and after, in the light and the dark colour scheme. axe cannot see it (it is CSS
// ::before content), so this measures it.
import { expect, test } from "./fixtures";
import { openDashboard, row } from "./support";

const MINIMUM = 4.5;

test("the change arrow has 4.5:1 contrast against its cell, highlighted or not, light and dark", async ({
  page,
  shop,
}) => {
  const product = await shop.product({ stock: 10 });
  await openDashboard(page, shop.dashboardPath);
  await shop.patch(product.id, { stock: 9 });
  const cell = row(page, product.id).getByTestId("stock");
  // A real change marks the cell; the measuring below goes through each state it can be in.
  await expect(cell).toHaveAttribute("data-change", "down");

  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    const ratios = await cell.evaluate((td) => {
      // Colours as the browser paints them (Tailwind's are oklch): through a 1x1 canvas, which
      // also blends each translucent background over the ones behind it.
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 1;
      const context = canvas.getContext("2d", { willReadFrequently: true })!;
      const paint = (color: string) => {
        context.fillStyle = color;
        context.fillRect(0, 0, 1, 1);
      };
      const pixel = () => [...context.getImageData(0, 0, 1, 1).data.slice(0, 3)];
      const luminance = (rgb: number[]) => {
        const [r, g, b] = rgb.map((value) => {
          const c = value / 255;
          return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const measure = () => {
        const layers: string[] = [];
        for (let element: Element | null = td; element; element = element.parentElement)
          layers.unshift(getComputedStyle(element).backgroundColor);
        context.clearRect(0, 0, 1, 1);
        paint("white");
        for (const layer of layers) paint(layer);
        const behind = luminance(pixel());
        paint(getComputedStyle(td, "::before").color);
        const arrow = luminance(pixel());
        return (Math.max(behind, arrow) + 0.05) / (Math.min(behind, arrow) + 0.05);
      };
      // Each state the cell can be in, set and restored in one go (no render can come between).
      const saved = { change: td.getAttribute("data-change"), flash: td.getAttribute("data-flash") };
      const ratios: Record<string, number> = {};
      for (const direction of ["up", "down"])
        for (const flash of [true, false]) {
          td.setAttribute("data-change", direction);
          if (flash) td.setAttribute("data-flash", "");
          else td.removeAttribute("data-flash");
          ratios[`${direction}${flash ? ", highlighted" : ""}`] = Math.round(measure() * 100) / 100;
        }
      td.setAttribute("data-change", saved.change!);
      if (saved.flash === null) td.removeAttribute("data-flash");
      else td.setAttribute("data-flash", saved.flash);
      return ratios;
    });
    const tooFaint = Object.entries(ratios).filter(([, ratio]) => ratio < MINIMUM);
    expect(tooFaint, `${colorScheme}: ${JSON.stringify(ratios)}`).toEqual([]);
  }
});
