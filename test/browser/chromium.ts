import fs from 'node:fs';

/** Debian's package (`apt-get install chromium`); CHROMIUM_PATH points elsewhere. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

function wantedPath(): string {
  return process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
}

/** The Chromium the browser tests drive, or null when it is not installed. */
export function chromiumPath(): string | null {
  const p = wantedPath();
  return fs.existsSync(p) ? p : null;
}

/** CI sets SATUKOTA_REQUIRE_BROWSER=1: a missing Chromium then fails the browser tests instead of skipping them. */
export function browserRequired(): boolean {
  return process.env.SATUKOTA_REQUIRE_BROWSER === '1';
}

export function browserMissingMessage(): string {
  const hint = process.env.CHROMIUM_PATH ? ' (or point CHROMIUM_PATH at a Chromium)' : '';
  return `Chromium not found at ${wantedPath()}. Install it with: sudo apt-get install -y chromium${hint}`;
}
