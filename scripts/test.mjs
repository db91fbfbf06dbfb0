#!/usr/bin/env node
/**
 * `npm test`: the whole suite, for people and for CI.
 *
 *   1. ensurePeers()  — install third-party peers the tests need (chromium);
 *   2. tsc -b         — type-checks and builds core, protocols, src, test, bench
 *                       (child-process tests run dist/src/main.js from this build);
 *   3. vitest run     — every test file, with the JSON reporter next to the default one;
 *   4. prints the plain summary line CI reads:  `vitest: N passed, N failed[, N skipped]`
 *      (a test file that fails to load counts as one failed test);
 *   5. exits non-zero when the type-check failed or anything failed.
 *
 * Extra arguments go to vitest: `npm test -- test/unit`.
 * Plain node, no dependencies.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const jsonFile = join(root, 'vitest.json');

/**
 * Hook: make sure the real peers used by interop tests are installed.
 * For each missing binary, `apt-get install -y <package>` (DEBIAN_FRONTEND=
 * noninteractive); `apt-get update` first only when the install fails (stale
 * or empty package lists), then install again. Never fails the run: without
 * apt (or root) it says so, and the tests that need the peer fail with a
 * clear message of their own.
 */
function ensurePeers() {
  const peers = [{ bin: '/usr/bin/chromium', pkg: 'chromium', for: 'test/e2e/browser.test.ts' }];
  const missing = peers.filter((p) => !existsSync(p.bin));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((p) => p.pkg))];
  for (const p of missing) console.log(`> ensurePeers: ${p.bin} missing (needed by ${p.for})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => {
    console.log(`> apt-get ${args.join(' ')}`);
    const r = spawnSync('apt-get', args, { cwd: root, stdio: 'inherit', env });
    if (r.error) console.error(`test.mjs: cannot run apt-get: ${r.error.message}`);
    return r.error ? null : r.status;
  };
  let status = apt(['install', '-y', ...pkgs]);
  if (status === null) {
    console.error(`test.mjs: apt-get is not available; install ${pkgs.join(' ')} yourself (tests needing it will fail)`);
    return;
  }
  if (status !== 0 && apt(['update']) === 0) status = apt(['install', '-y', ...pkgs]);
  const still = missing.filter((p) => !existsSync(p.bin));
  if (status !== 0 || still.length > 0) {
    console.error(`test.mjs: could not install ${pkgs.join(' ')} (apt-get exit ${status}); tests needing ${still.map((p) => p.bin).join(', ')} will fail`);
  } else {
    console.log(`> ensurePeers: installed ${pkgs.join(' ')}`);
  }
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.error) {
    console.error(`test.mjs: cannot run ${cmd}: ${r.error.message}`);
    return 1;
  }
  return r.status ?? 1;
}

function summary() {
  if (!existsSync(jsonFile)) return null;
  const r = JSON.parse(readFileSync(jsonFile, 'utf8'));
  // a file that failed to import has no assertion results; count it as a failure
  const brokenFiles = (r.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
  return {
    passed: r.numPassedTests ?? 0,
    failed: (r.numFailedTests ?? 0) + brokenFiles,
    skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
  };
}

ensurePeers();

console.log('> tsc -b');
const tscStatus = run(bin('tsc'), ['-b']);
if (tscStatus !== 0) console.error(`test.mjs: type-check failed (tsc -b exit ${tscStatus}); running the tests anyway`);

rmSync(jsonFile, { force: true });
console.log('> vitest run');
const vitestStatus = run(bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${jsonFile}`,
  ...process.argv.slice(2),
]);

const s = summary();
if (s === null) {
  console.log('vitest: 0 passed, 1 failed');
  console.error('test.mjs: vitest wrote no JSON report');
  process.exit(1);
}
console.log(`vitest: ${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ''}`);
if (tscStatus !== 0) console.log('tsc: FAILED');
process.exit(tscStatus !== 0 || vitestStatus !== 0 || s.failed > 0 ? 1 : 0);
