// Drives headless Chromium pages that play an xp2p stream with the player SDK (demo page
// index.html, window.xp2pPlayer), for BrowserPlayerRealTest and the PlayerBench benchmark.
//
// Usage: node players.mjs '<json config>'
//   {base, stream, room, modulesDir, userDataDir, scenario, pages, windowMs, timeoutMs, query, pageQueries, screenshot}
// scenarios:
//   solo    one page plays for windowMs
//   swarm   `pages` pages (first uploads, all upload) join one by one; measured over windowMs
//   close   parent A and leaf children; A's page is closed during the window
//   freeze  parent A and leaf children; A's JavaScript is paused (debugger) during the window
//   tamper  A alters every chunk it sends to its children
//   edge    A, then B whose browser says it is on cellular (upload defaults off), then C; during the
//           window B's signalling socket drops (the player must reconnect and rejoin)
// Prints ONE JSON line on stdout:
//   {ok, reason, pages:[{name, before, after, samples}], statBefore, statAfter, roomAfter, console}
// Every wait is bounded by timeoutMs; the script always exits.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const cfg = JSON.parse(process.argv[2]);
const require = createRequire(`${cfg.modulesDir}/`);
const { chromium } = require('playwright-core');
const deadline = Date.now() + (cfg.timeoutMs || 120000);
const out = { ok: false, reason: 'not started', pages: [], statBefore: null, statAfter: null, roomAfter: null, console: [] };

function finish(code) {
  // exit only once the whole line is written: a pipe takes it in pieces
  process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(code));
}
setTimeout(() => { out.reason = 'hard timeout'; finish(3); }, (cfg.timeoutMs || 120000) + 30000).unref();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(what, fn, ms = 20000) {
  const end = Math.min(deadline, Date.now() + ms);
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function json(path) {
  const r = await fetch(`${cfg.base}${path}`, { cache: 'no-store' });
  return r.status === 200 ? r.json() : { status: r.status };
}

/** CPU seconds (user + system) of this process's descendants now alive: the browser's processes. */
function browserCpuSeconds() {
  const procs = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch (e) {
      // gone meanwhile
    }
  }
  let ticks = 0;
  for (const [pid, p] of procs) {
    for (let up = p.ppid, hops = 0; up > 1 && hops < 16; up = (procs.get(up) || { ppid: 0 }).ppid, hops++) {
      if (up === process.pid) {
        ticks += p.ticks;
        break;
      }
    }
    if (pid === process.pid) continue;
  }
  return ticks / 100; // USER_HZ
}

let context;
const pages = [];
try {
  context = await chromium.launchPersistentContext(cfg.userDataDir, {
    executablePath: process.env.XP2P_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 30000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--mute-audio',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      // keep background tabs running at full speed: every page is a viewer
      '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows',
      // host candidates as plain addresses (no mDNS names nobody here can resolve)
      '--disable-features=WebRtcHideLocalIpsWithMdns'],
    viewport: { width: 960, height: 640 },
  });
  const stats = (p) => p.page.evaluate(() => (window.xp2pPlayer ? window.xp2pPlayer.stats() : null)).catch(() => null);
  const open = async (name, upload, extra = '', cellular = false) => {
    const page = await context.newPage();
    if (cellular) {
      // the Network Information API as a phone on mobile data reports it (desktop Chromium leaves
      // navigator.connection.type undefined, and CDP's network emulation does not set it)
      await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'connection',
        { configurable: true, get: () => ({ type: 'cellular', effectiveType: '4g' }) }));
    }
    const entry = { name, page, closed: false, frozen: false };
    page.on('console', (m) => out.console.length < 300 && out.console.push(`${name}: ${m.text()}`));
    page.on('pageerror', (e) => out.console.push(`${name} pageerror: ${e.message}`));
    const q = `stream=${encodeURIComponent(cfg.stream)}${upload === null ? '' : `&upload=${upload ? 1 : 0}`}${cfg.query || ''}${extra}`;
    await page.goto(`${cfg.base}/?${q}`, { timeout: 15000 });
    pages.push(entry);
    await until(`${name} to play`, async () => {
      const s = await stats(entry);
      if (s && (s.state === 'failed' || (s.error && String(s.error.error).startsWith('media')))) {
        throw new Error(`${name} failed: ${JSON.stringify(s.error)}`);
      }
      return s && s.state === 'playing' && s.parent ? s : null;
    });
    return entry;
  };
  const sampleAll = async () => Promise.all(pages.map(async (p) => (p.closed || p.frozen ? null : stats(p))));

  const scenario = cfg.scenario || 'solo';
  const n = scenario === 'solo' ? 1 : (scenario === 'swarm' ? cfg.pages || 8 : cfg.pages || 3);
  for (let i = 0; i < n; i++) {
    const name = String.fromCharCode(65 + (i % 26)) + (i >= 26 ? Math.floor(i / 26) : '');
    const upload = scenario === 'swarm' ? true : (scenario === 'edge' ? (i === 1 ? null : true) : i === 0);
    await open(name, upload, (i === 0 ? '&slots=8' : '') + ((cfg.pageQueries && cfg.pageQueries[i]) || ''), scenario === 'edge' && i === 1);
  }
  if (scenario === 'tamper') {
    await pages[0].page.evaluate(() => {
      const p = window.xp2pPlayer;
      const serve = p.serveChild.bind(p);
      const alter = (bytes) => {
        const bad = bytes.slice();
        bad[bad.length >> 1] ^= 0xff;
        return bad;
      };
      // serveChild answers a stored chunk, or one still arriving (forward.js): either way the
      // child receives a chunk whose middle byte is flipped
      p.serveChild = (seq) => {
        const src = serve(seq);
        if (!src || src instanceof Uint8Array) return src && alter(src);
        const bad = new src.constructor();
        (async () => {
          while (!src.verified && !src.failed) await src.changed(250);
          if (src.verified) bad.complete(alter(src.verified));
          else bad.fail();
        })();
        return bad;
      };
    });
  }
  if (scenario !== 'solo') {
    // the tree is settled and peers deliver: every child has taken a chunk from its parent
    await until('children to receive from their parents', async () => {
      const all = await sampleAll();
      return all.every((s) => s && (s.parent === 'server' || s.p2pChunks > 0 || (scenario === 'tamper' && s.rejected > 0)));
    }, 30000);
  }
  // players report every 2 s: let every startup be reported before the window opens
  await sleep(2500);
  out.statBefore = await json(`/stat?xresid=${encodeURIComponent(cfg.room)}`);
  out.streamBefore = await json(`/xp2p/streams?xresid=${encodeURIComponent(cfg.room)}`);
  const cpu0 = browserCpuSeconds();
  const before = await sampleAll();
  const t0 = Date.now();
  const samples = pages.map(() => []);
  let acted = false;
  while (Date.now() - t0 < (cfg.windowMs || 10000) && Date.now() < deadline) {
    await sleep(1000);
    if (!acted && (scenario === 'close' || scenario === 'freeze' || scenario === 'edge') && Date.now() - t0 > 3000) {
      acted = true;
      if (scenario === 'edge') {
        out.closedSocketOf = await pages[1].page.evaluate(() => {
          const p = window.xp2pPlayer;
          const id = p.peerId;
          p.signal.ws.close(4000, 'test: connection lost');
          return id;
        });
      } else if (scenario === 'close') {
        pages[0].closed = true;
        await pages[0].page.close();
      } else {
        pages[0].frozen = true;
        const cdp = await context.newCDPSession(pages[0].page);
        await cdp.send('Debugger.enable');
        await cdp.send('Debugger.pause');
      }
      out.actedAtMs = Date.now() - t0;
    }
    const all = await sampleAll();
    all.forEach((s, i) => s && samples[i].push({ t: Date.now() - t0, currentTime: s.currentTime, stalls: s.stalls, parent: s.parent, latency: s.latencyMillis, p2p: s.p2pBytes, cdn: s.cdnBytes }));
  }
  const elapsedMs = Date.now() - t0;
  out.browserCpuSeconds = browserCpuSeconds() - cpu0;
  out.streamAfter = await json(`/xp2p/streams?xresid=${encodeURIComponent(cfg.room)}`);
  const after = await sampleAll();
  // players report every 2 s: wait one report so /stat covers the window
  await sleep(2500);
  out.statAfter = await json(`/stat?xresid=${encodeURIComponent(cfg.room)}`);
  out.roomAfter = await json(`/xp2p/rooms?xresid=${encodeURIComponent(cfg.room)}`);
  out.elapsedMs = elapsedMs;
  out.pages = pages.map((p, i) => ({ name: p.name, closed: p.closed, frozen: p.frozen, before: before[i], after: after[i], samples: samples[i] }));
  if (cfg.screenshot) {
    const live = pages.find((p) => !p.closed && !p.frozen);
    await live.page.screenshot({ path: cfg.screenshot, fullPage: true }).catch(() => {});
  }
  out.ok = true;
  out.reason = 'done';
  await context.close().catch(() => {});
  finish(0);
  await new Promise(() => {}); // finish() exits
} catch (e) {
  out.reason = `script failed: ${e && e.stack ? e.stack : e}`;
  try {
    const live = pages.filter((p) => !p.closed && !p.frozen);
    out.pages = await Promise.all(live.map(async (p) => ({ name: p.name, after: await p.page.evaluate(() => window.xp2pPlayer && window.xp2pPlayer.stats()).catch(() => null) })));
  } catch (ignored) {
    // best effort
  }
  if (context) await context.close().catch(() => {});
  finish(2);
}
