// Builds the player SDK for the WAR: installs the locked npm dependencies when node_modules does
// not match package-lock.json (npm ci), then bundles src/index.js and mpegts.js into one ES module,
// xp2p-player.js, in the directory given as the first argument (the Maven build passes
// plugin/target/player, which the WAR serves at its context root).
// Offline runs (CI's browser tests run Maven offline) work once node_modules is installed.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = process.argv[2] || join(here, 'dist');

function installed() {
  const hidden = join(here, 'node_modules', '.package-lock.json');
  if (!existsSync(hidden)) {
    return false;
  }
  const want = JSON.parse(readFileSync(join(here, 'package-lock.json'), 'utf8')).packages;
  const have = JSON.parse(readFileSync(hidden, 'utf8')).packages;
  return Object.entries(want).every(([path, p]) => path === '' || p.optional || (have[path] && have[path].version === p.version));
}

if (!installed()) {
  console.log('player: node_modules does not match package-lock.json; running npm ci');
  execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: here, stdio: 'inherit' });
}

const { build } = await import('esbuild');
await build({
  absWorkingDir: here,
  entryPoints: { 'xp2p-player': 'src/index.js' },
  bundle: true,
  format: 'esm',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  legalComments: 'linked',
  outdir,
  logLevel: 'warning',
});
console.log(`player: xp2p-player.js written to ${outdir}`);
