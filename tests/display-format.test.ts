// lib/display-format.ts: one unambiguous date format per locale and zone, days in a time zone for the
// history's filters, and DISPLAY_TIME_ZONE validated like the other display settings.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { formatDateTime, startOfDay } from "../lib/display-format";

const plain = (text: string) => text.replace(/\s+/g, " ");
const at = Date.parse("2026-12-07T20:53:15Z");

test("a moment reads with the month by name, the locale's clock and the zone", () => {
  assert.equal(plain(formatDateTime({ locale: "en-GB", timeZone: "UTC" }, at)), "7 Dec 2026, 20:53:15 UTC");
  assert.equal(plain(formatDateTime({ locale: "en-US", timeZone: "UTC" }, at)), "Dec 7, 2026, 8:53:15 PM UTC");
  assert.equal(plain(formatDateTime({ locale: "de-DE", timeZone: "Europe/Berlin" }, at)), "7. Dez. 2026, 21:53:15 MEZ");
});

test("a day starts at midnight on the zone's clock, across changes of the clocks", () => {
  const iso = (day: string, zone: string, days = 0) => startOfDay(day, zone, days)?.toISOString();
  assert.equal(iso("2026-12-07", "UTC"), "2026-12-07T00:00:00.000Z");
  assert.equal(iso("2026-12-07", "Europe/Berlin"), "2026-12-06T23:00:00.000Z");
  assert.equal(iso("2026-12-07", "Asia/Kolkata"), "2026-12-06T18:30:00.000Z");
  // Summer time starts at 02:00 on 29 March in Berlin: that day has 23 hours.
  assert.equal(iso("2026-03-29", "Europe/Berlin", 1), "2026-03-29T22:00:00.000Z");
  // New York falls back on 1 November: 25 hours.
  assert.equal(iso("2026-11-01", "America/New_York"), "2026-11-01T04:00:00.000Z");
  assert.equal(iso("2026-11-01", "America/New_York", 1), "2026-11-02T05:00:00.000Z");
  // Santiago skips midnight on 6 September: the day starts at 01:00.
  assert.equal(iso("2026-09-06", "America/Santiago"), "2026-09-06T04:00:00.000Z");
  assert.equal(iso("0001-01-01", "UTC"), "0001-01-01T00:00:00.000Z");
  for (const notADay of ["2026-02-30", "2026-13-01", "2026-1-1", "20260101", "2026-01-01T00:00Z", ""])
    assert.equal(startOfDay(notADay, "UTC"), null, notADay);
});

test("DISPLAY_TIME_ZONE takes an IANA zone (canonical spelling), defaults to UTC and refuses anything else", () => {
  const zoneOf = (value: string | undefined) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: "postgresql://localhost/x", NODE_ENV: "test" };
    delete env.DISPLAY_TIME_ZONE;
    if (value !== undefined) env.DISPLAY_TIME_ZONE = value;
    const script = `import { env } from ${JSON.stringify(path.join(import.meta.dirname, "..", "lib", "env.ts"))};
      try { console.log(env().DISPLAY_TIME_ZONE) } catch (error) { console.log(error.message) }`;
    return spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      env,
      encoding: "utf8",
    }).stdout.trim();
  };
  assert.equal(zoneOf(undefined), "UTC");
  assert.equal(zoneOf("europe/berlin"), "Europe/Berlin");
  for (const bad of ["Mars/Olympus_Mons", "", "UTC; DROP TABLE"])
    assert.match(zoneOf(bad), /DISPLAY_TIME_ZONE must be an IANA time zone/, bad);
});
