/**
 * Debian's Chromium through playwright-core, as the page tests start it: headless, in a profile
 * directory of its own, with nothing that reaches out to the network.
 */
import { existsSync } from "node:fs";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
/** True when the page tests skip: no Chromium here, and REQUIRE_BROWSER=1 (CI) not set. */
export const skipBrowser = !existsSync(CHROMIUM) && process.env.REQUIRE_BROWSER !== "1";

export const launchChromium = (profileDir: string): Promise<BrowserContext> =>
  chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
