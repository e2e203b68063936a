// Finds a Chromium for Playwright: an explicitly configured one (CHROMIUM_PATH), else
// Playwright's own if installed, else Debian's /usr/bin/chromium, else (as root with apt-get)
// installs Debian's chromium, else stops with a message saying what to install.
import fs from "node:fs";
import { chromium } from "@playwright/test";
import { debianProgram } from "./debian-package";

const DEBIAN_CHROMIUM = "/usr/bin/chromium";

export function findChromium(log: (message: string) => void = console.log): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!fs.existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return configured;
  }
  const bundled = (() => {
    try {
      return chromium.executablePath();
    } catch {
      return "";
    }
  })();
  if (bundled && fs.existsSync(bundled)) return bundled;
  const debian = debianProgram(DEBIAN_CHROMIUM, "chromium", log);
  if (debian) return debian;
  throw new Error(
    "No Chromium for the browser tests. Install one of: Debian/Ubuntu `apt-get install chromium`, " +
      "or `npx playwright install chromium`, or set CHROMIUM_PATH to a Chromium/Chrome binary.",
  );
}

// Flags that keep Chromium quiet on a machine without outside network.
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
