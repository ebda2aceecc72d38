// PlayerBench: N headless Chromium pages play the demo stream through the swarm; prints, per N,
// offload against the ceiling 1 - 1/N, startup p50/p95, playback stalls, chunk delay (digest to
// verified arrival) p50/p95 by tree depth, server egress against N x bitrate, and browser CPU.
//
// Runs the real host (host-harness/target/xp2p-host.jar --demo) in its own process and the page
// driver host-harness/src/test/resources/browser/players.mjs. WebRTC needs a non-loopback
// interface: run it through bench/player/run.sh, which makes a network namespace for it.
//   bench/player/run.sh --pages 4,8,16 --window 30
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const counts = (args.pages || '4,8,16').split(',').map(Number);
const windowMs = Number(args.window || 30) * 1000;
const jar = resolve(args.jar || join(root, 'host-harness/target/xp2p-host.jar'));
const driver = join(root, 'host-harness/src/test/resources/browser/players.mjs');
const modulesDir = join(root, 'host-harness/src/test/browser/node_modules');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const pct = (values, p) => {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function startHost(port, data) {
  const host = spawn('java', ['-XX:+UseZGC', '-jar', jar, '--demo', '-p', String(port), '--data', data], { stdio: 'ignore' });
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/xp2p/health`)).ok) return host;
    } catch (e) {
      // not up yet
    }
    await sleep(250);
  }
  host.kill('SIGKILL');
  throw new Error('host did not start within 60 s');
}

async function runOnce(n) {
  const port = 16300 + n;
  const data = mkdtempSync(join(tmpdir(), 'xp2p-bench-'));
  const profile = mkdtempSync(join(tmpdir(), 'xp2p-bench-profile-'));
  const host = await startHost(port, data);
  try {
    const cfg = { base: `http://127.0.0.1:${port}`, stream: 'live/demo.flv', room: 'live/demo', modulesDir, userDataDir: profile,
      scenario: 'swarm', pages: n, windowMs, timeoutMs: windowMs + 60000 + n * 20000 };
    const r = spawnSync(process.execPath, [driver, JSON.stringify(cfg)], { encoding: 'utf8', maxBuffer: 256 << 20, timeout: cfg.timeoutMs + 60000 });
    const out = JSON.parse(r.stdout.trim().split('\n').pop());
    if (!out.ok) return { n, failed: out.reason.split('\n')[0] };
    const seconds = out.elapsedMs / 1000;
    const dp2p = out.statAfter.flow.p2pBytes - out.statBefore.flow.p2pBytes;
    const dcdn = out.statAfter.flow.cdnBytes - out.statBefore.flow.cdnBytes;
    const egress = (out.streamAfter.chunkBytesOut - out.streamBefore.chunkBytesOut) + (out.streamAfter.bytesOut - out.streamBefore.bytesOut);
    const bitrate = (out.streamAfter.bytesIn - out.streamBefore.bytesIn) / seconds;
    const byDepth = {};
    for (const p of out.pages) {
      const d = p.after.depth;
      (byDepth[d] ||= []).push(...p.after.chunkDelays.slice(-Math.floor(seconds)));
    }
    return {
      n,
      offload: dp2p / (dp2p + dcdn),
      ceiling: 1 - 1 / n,
      startup: out.pages.map((p) => p.before.startupMillis),
      stalls: out.pages.reduce((a, p) => a + p.after.stalls, 0),
      stallMillis: out.pages.reduce((a, p) => a + p.after.stallMillis, 0),
      delays: Object.entries(byDepth).map(([d, v]) => `d${d} ${pct(v, 50)}/${pct(v, 95)}`).join(', '),
      egressRatio: egress / (n * bitrate * seconds),
      bitrate,
      cpu: out.browserCpuSeconds / seconds,
      depth: Math.max(...out.pages.map((p) => p.after.depth)),
    };
  } finally {
    host.kill('SIGTERM');
    await sleep(1000);
    host.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}

console.log(`PlayerBench: ${counts.join(', ')} pages, ${windowMs / 1000} s window each, demo stream, host ${jar}`);
console.log('| pages | offload / ceiling | startup p50 / p95 | playback stalls | chunk delay p50/p95 ms by depth | server egress / (N x bitrate) | browser CPU (cores) |');
console.log('|---|---|---|---|---|---|---|');
for (const n of counts) {
  const r = await runOnce(n);
  if (r.failed) {
    console.log(`| ${n} | failed: ${r.failed} | | | | | |`);
    continue;
  }
  console.log(`| ${n} | ${r.offload.toFixed(3)} / ${r.ceiling.toFixed(3)} | ${pct(r.startup, 50)} / ${pct(r.startup, 95)} ms | ${r.stalls} (${r.stallMillis} ms) | ${r.delays} | ${r.egressRatio.toFixed(3)} (stream ${(r.bitrate * 8 / 1e6).toFixed(2)} Mbit/s) | ${r.cpu.toFixed(2)} |`);
}
