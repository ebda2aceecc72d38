// Drives headless Chromium for BrowserPeerRealTest: two demo pages join one room (A uploads,
// B does not), and this script waits (polling, bounded) until B has taken chunks from A over the
// DataChannel and the server's /stat shows peer-to-peer bytes. Prints ONE JSON line on stdout:
//   {"ok":bool,"reason":string,"a":{...window.xp2pPeer},"b":{...},"stat":{...},"screenshot":path}
// then keeps both peers in the room until a line (or EOF) arrives on stdin, at most 30 s.
// Usage: node two-peers.mjs <baseUrl> <room> <modulesDir> <userDataDir> <screenshot.png> <timeoutMs> [share|tamper]
// share (default): done when B holds >= 3 verified chunks from A and /stat shows p2p bytes.
// tamper: A flips one byte of every chunk it sends; done when B rejected one, reported a stall,
// was moved to the server and keeps verifying chunks from there.
import { createRequire } from 'node:module';

const [base, room, modulesDir, userDataDir, screenshot, timeoutArg, scenario = 'share'] = process.argv.slice(2);
const require = createRequire(`${modulesDir}/`);
const { chromium } = require('playwright-core');
const deadline = Date.now() + Number(timeoutArg || 60000);
const result = { ok: false, reason: 'not started', a: null, b: null, stat: null, screenshot: null, console: [] };

function finish(code) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(code);
}
setTimeout(() => { result.reason = 'hard timeout'; finish(3); }, Number(timeoutArg || 60000) + 20000).unref();

let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.XP2P_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    timeout: 30000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // host candidates as plain addresses (no mDNS names nobody here can resolve), loopback included
      '--disable-features=WebRtcHideLocalIpsWithMdns', '--allow-loopback-in-peer-connection'],
    viewport: { width: 1280, height: 900 },
  });
  const open = async (name, upload) => {
    const page = await context.newPage();
    page.on('console', (m) => result.console.length < 50 && result.console.push(`${name}: ${m.text()}`));
    page.on('pageerror', (e) => result.console.push(`${name} error: ${e.message}`));
    await page.goto(`${base}/index.html?xresid=${encodeURIComponent(room)}&upload=${upload ? 1 : 0}&slots=2&join=1`,
      { timeout: 15000 });
    return page;
  };
  const state = (page) => page.evaluate(() => (window.xp2pPeer ? { ...window.xp2pPeer } : null));
  const a = await open('A', true);
  // Chromium gathers ICE host candidates on non-loopback interfaces only: say so plainly when none
  const candidates = await a.evaluate(async () => {
    const pc = new RTCPeerConnection();
    pc.createDataChannel('probe');
    const found = [];
    const done = new Promise((resolve) => {
      pc.onicecandidate = (e) => (e.candidate ? found.push(e.candidate.candidate) : resolve());
      setTimeout(resolve, 5000);
    });
    await pc.setLocalDescription();
    await done;
    pc.close();
    return found;
  });
  if (candidates.length === 0) {
    throw new Error('Chromium gathered no ICE host candidate: WebRTC needs a non-loopback network '
      + 'interface on this machine (traffic still stays on this host)');
  }
  // B joins once A is placed, so the tree puts B below A
  while (Date.now() < deadline && !((await state(a))?.parent)) {
    await a.waitForTimeout(100);
  }
  if (scenario === 'tamper') {
    await a.evaluate(() => {
      const peer = window.xp2pPeerControl;
      const send = peer.sendChunk.bind(peer);
      peer.sendChunk = (link, seq, bytes) => {
        const bad = bytes.slice();
        bad[bad.length >> 1] ^= 0xff;
        return send(link, seq, bad);
      };
    });
  }
  const b = await open('B', false);
  result.reason = `deadline passed before the ${scenario} scenario completed`;
  while (Date.now() < deadline) {
    // B first: whatever B has received, A had sent by the time A is read
    result.b = await state(b);
    result.a = await state(a);
    const r = await fetch(`${base}/stat?xresid=${encodeURIComponent(room)}`);
    result.stat = r.status === 200 ? await r.json() : { status: r.status };
    const sa = result.a;
    const sb = result.b;
    const shared = sa && sb && sb.parent === sa.peerId && sb.p2pChunks >= 3 && sa.uploadBytes > 0
        && result.stat.flow && result.stat.flow.p2pBytes > 0;
    const refused = sa && sb && sb.rejected >= 1 && sb.stalls >= 1 && sb.parent === 'server'
        && sb.cdnChunks >= 3 && result.stat.stalls >= 1;
    if (scenario === 'tamper' ? refused : shared) {
      result.ok = true;
      result.reason = scenario === 'tamper' ? 'B refused A\'s chunks and moved to the server' : 'B pulled from A';
      break;
    }
    await a.waitForTimeout(250);
  }
  await a.bringToFront();
  await a.waitForFunction(() => document.querySelectorAll('#tree div').length >= 3, null, { timeout: 5000 })
    .catch(() => {});
  await a.screenshot({ path: screenshot, fullPage: true });
  result.screenshot = screenshot;
  // the peers stay in the room until the test has read the server's statistics and says "close"
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await new Promise((resolve) => {
    process.stdin.on('data', resolve);
    process.stdin.on('end', resolve);
    setTimeout(resolve, 30000).unref();
  });
  await context.close();
  process.exit(result.ok ? 0 : 1);
} catch (e) {
  result.reason = `script failed: ${e && e.stack ? e.stack : e}`;
  if (context) await context.close().catch(() => {});
  finish(2);
}
