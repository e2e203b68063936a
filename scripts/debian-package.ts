// A program from Debian's packages that the tests need (Chromium, nginx): found where Debian
// puts it, else installed with apt-get when we are root (as CI is), else null so the caller can
// say what to install.
import { execFileSync } from "node:child_process";
import fs from "node:fs";

export function debianProgram(binary: string, pkg: string, log: (message: string) => void = console.log) {
  if (fs.existsSync(binary)) return binary;
  if (process.getuid?.() !== 0 || !fs.existsSync("/usr/bin/apt-get")) return null;
  log(`${binary} not found: installing Debian's ${pkg} package (apt-get)`);
  execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  execFileSync("apt-get", ["install", "-y", "-qq", pkg], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return fs.existsSync(binary) ? binary : null;
}
