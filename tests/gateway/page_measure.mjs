// Opens a page in headless Chromium at a given width and prints what the browser measured, as JSON:
// {"viewport":390,"document":390,"charts":4,"overflowing":[]} — and saves a screenshot.
// Talks to Chromium over --remote-debugging-pipe (NUL-separated JSON on fds 3 and 4): no npm package.
// Usage: node page_measure.mjs CHROMIUM URL WIDTH PROFILE_DIR SCREENSHOT.png
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const [chromium, url, widthText, profile, screenshot] = process.argv.slice(2);
const width = Number(widthText);
const height = 900;

const browser = spawn(chromium, [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', '--hide-scrollbars', `--user-data-dir=${profile}`,
  '--remote-debugging-pipe', 'about:blank',
], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
const toBrowser = browser.stdio[3];
const fromBrowser = browser.stdio[4];

const fail = (why) => {
  console.error(`page_measure: ${why}`);
  browser.kill('SIGKILL');
  process.exit(1);
};
setTimeout(() => fail('no answer from Chromium within 40 s'), 40000).unref();
browser.on('error', (e) => fail(`cannot start ${chromium}: ${e.message}`));

let nextId = 1;
const pending = new Map();
const listeners = [];
let buffered = '';
fromBrowser.on('data', (chunk) => {
  buffered += chunk.toString('utf8');
  let end;
  while ((end = buffered.indexOf('\0')) >= 0) {
    const message = JSON.parse(buffered.slice(0, end));
    buffered = buffered.slice(end + 1);
    if (message.id && pending.has(message.id)) {
      const { resolve, reject } = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) reject(new Error(JSON.stringify(message.error)));
      else resolve(message.result);
    } else if (message.method) {
      for (const l of listeners) l(message);
    }
  }
});
const send = (method, params = {}, sessionId = undefined) => new Promise((resolve, reject) => {
  const id = nextId++;
  pending.set(id, { resolve, reject });
  toBrowser.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
});
const eventOnce = (method, sessionId) => new Promise((resolve) => {
  listeners.push((m) => { if (m.method === method && m.sessionId === sessionId) resolve(m.params); });
});

try {
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  await send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false }, sessionId);
  await send('Page.enable', {}, sessionId);
  const loaded = eventOnce('Page.loadEventFired', sessionId);
  await send('Page.navigate', { url }, sessionId);
  await loaded;
  const measure = `(() => {
    const viewport = window.innerWidth;
    const overflowing = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > viewport + 0.5 && !e.closest('.scroll'))
      .slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined ? '.' + e.className : ''));
    return JSON.stringify({ viewport, document: document.documentElement.scrollWidth,
      charts: document.querySelectorAll('svg.chart').length, overflowing });
  })()`;
  const { result } = await send('Runtime.evaluate', { expression: measure, returnByValue: true }, sessionId);
  const shot = await send('Page.captureScreenshot', { format: 'png' }, sessionId);
  writeFileSync(screenshot, Buffer.from(shot.data, 'base64'));
  console.log(result.value);
  await send('Browser.close').catch(() => {});
  process.exit(0);
} catch (e) {
  fail(e.message);
}
