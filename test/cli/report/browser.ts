/**
 * A real browser from npm alone: @sparticuz/chromium ships a headless Chromium inside the package (unpacked
 * to the OS temp dir on first use), driven by puppeteer-core. No system browser, no download at install.
 */
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser } from 'puppeteer-core';
import { tempDirSync } from '../../helpers/tempDirs.js';

/** The package's own flags plus those this sandbox needs (no background traffic to a closed network). */
const EXTRA_ARGS = [
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export async function launchBrowser(): Promise<Browser> {
  const executablePath = await chromium.executablePath();
  return puppeteer.launch({
    executablePath,
    args: [...chromium.args, ...EXTRA_ARGS, `--user-data-dir=${tempDirSync('ot-soc-chromium-')}`],
    headless: true,
  });
}
