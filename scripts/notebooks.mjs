#!/usr/bin/env node
// Executes every teaching notebook in packages/examples/notebooks/ with the tslab TypeScript kernel
// and fails if any cell fails (a TypeScript error or a thrown exception). Before that, it checks that
// the packages' published declarations type-check a consumer (packages/examples/types-check).
//
//   node scripts/notebooks.mjs            check outputs are stripped, set up, build if stale, execute all
//   node scripts/notebooks.mjs 01-*.ipynb  only these notebooks (names or paths)
//   node scripts/notebooks.mjs --strip    remove outputs from the committed notebooks, then stop
//   node scripts/notebooks.mjs --no-build  use the CJS builds in dist/ as they are
//   node scripts/notebooks.mjs --images   (re)draw the README's pictures in notebooks/img/, then stop
//   SKIP_NOTEBOOKS=1                      skip (for machines without Jupyter; CI never sets it)
//
// Policy: notebooks are committed WITHOUT outputs (checked here, so nothing stale is committed);
// the executed copies, with outputs, are written to packages/examples/notebooks/.executed/
// (git-ignored) for people to open.
//
// Set-up it does when needed: Debian's jupyter-nbconvert python3-nbclient python3-ipykernel
// jupyter-client (apt-get, as root; CI runs as root), and the tslab kernel (a devDependency of
// @fvm-sim/examples) registered under node_modules/.cache/ with an absolute path, so nothing is
// installed into the user's Jupyter. tslab loads packages with require(), through their CJS builds
// in dist/: those are rebuilt when any source file is newer.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const examples = join(root, 'packages/examples');
const nbDir = join(examples, 'notebooks');
const outDir = join(nbDir, '.executed');
const jupyterHome = join(root, 'node_modules/.cache/fvm-sim-notebooks/jupyter');
const JUPYTER = '/usr/bin/jupyter';
const APT_PACKAGES = ['jupyter-nbconvert', 'python3-nbclient', 'python3-ipykernel', 'jupyter-client'];
const PNPM = 'pnpm@10.34.9';

const args = process.argv.slice(2);
const t0 = Date.now();
const log = (msg) => console.log(`[notebooks ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: opts.quiet ? 'pipe' : 'inherit', encoding: 'utf8', ...opts });
  if (r.error) throw r.error;
  return r;
}

function fail(msg) {
  console.error(`\n[notebooks] FAILED: ${msg}`);
  process.exit(1);
}

function notebooks() {
  const all = readdirSync(nbDir).filter((f) => f.endsWith('.ipynb')).sort();
  const wanted = args.filter((a) => !a.startsWith('--')).map((a) => basename(a));
  if (wanted.length === 0) return all;
  for (const w of wanted) if (!all.includes(w)) fail(`no notebook ${w} in ${nbDir}`);
  return wanted;
}

/** Cells with outputs or execution counts: those would be stale the moment the code changes. */
function unstripped(file) {
  const nb = JSON.parse(readFileSync(join(nbDir, file), 'utf8'));
  return nb.cells.filter((c) => c.cell_type === 'code' && ((c.outputs?.length ?? 0) > 0 || c.execution_count !== null)).length;
}

function strip(file) {
  const path = join(nbDir, file);
  const nb = JSON.parse(readFileSync(path, 'utf8'));
  for (const c of nb.cells) {
    if (c.cell_type === 'code') {
      c.outputs = [];
      c.execution_count = null;
    }
    if (c.metadata) delete c.metadata.execution;
  }
  writeFileSync(path, `${JSON.stringify(nb, null, 1)}\n`);
}

function ensureJupyter() {
  const ok = () =>
    existsSync(JUPYTER) &&
    run('/usr/bin/python3', ['-c', 'import nbconvert, nbclient, ipykernel, jupyter_client'], { quiet: true }).status === 0;
  if (ok()) return;
  if (process.getuid?.() !== 0) {
    fail(`Jupyter is missing. Install it with: sudo apt-get install -y ${APT_PACKAGES.join(' ')} (or set SKIP_NOTEBOOKS=1)`);
  }
  log(`installing ${APT_PACKAGES.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['-y', '-q', 'install', '--no-install-recommends', ...APT_PACKAGES], { env }).status === 0;
  if (!install()) {
    run('apt-get', ['-q', 'update'], { env });
    if (!install()) fail('apt-get could not install the Jupyter packages');
  }
  if (!ok()) fail('Jupyter packages installed but /usr/bin/jupyter or its Python modules are missing');
}

function ensureKernel() {
  const tslab = join(examples, 'node_modules/.bin/tslab');
  if (!existsSync(tslab)) fail(`${tslab} is missing: run \`npx -y ${PNPM} install --frozen-lockfile\` first`);
  const spec = join(jupyterHome, 'share/jupyter/kernels/tslab/kernel.json');
  const wanted = tslab;
  if (existsSync(spec) && JSON.parse(readFileSync(spec, 'utf8')).argv?.[0] === wanted) return;
  log('registering the tslab kernel');
  const r = run(tslab, ['install', '--python=/usr/bin/python3', `--binary=${wanted}`, `--prefix=${jupyterHome}`], { quiet: true });
  if (r.status !== 0) fail(`tslab install failed:\n${r.stdout}${r.stderr}`);
}

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function ensureBuilt() {
  const stale = ['fvm-sim', 'actors-builtin', 'examples'].filter((pkg) => {
    const out = join(root, 'packages', pkg, 'dist/index.cjs');
    return !existsSync(out) || statSync(out).mtimeMs < newest(join(root, 'packages', pkg, 'src'));
  });
  if (stale.length === 0) return;
  log(`building (stale or missing CJS builds: ${stale.join(', ')})`);
  // Inside `pnpm test`, npm_execpath is pnpm itself; elsewhere use the pinned pnpm through npx.
  const viaPnpm = process.env.npm_execpath && /pnpm/.test(basename(process.env.npm_execpath));
  const r = viaPnpm
    ? run(process.execPath, [process.env.npm_execpath, '-r', 'run', 'build'], { cwd: root, quiet: true })
    : run('npx', ['-y', PNPM, '-r', 'run', 'build'], { cwd: root, quiet: true });
  if (r.status !== 0) fail(`build failed:\n${r.stdout}${r.stderr}`);
}

/**
 * The packages' published declarations (dist/types, what tslab and users' projects see) type-check
 * a consumer file: packages/examples/types-check/consumer.ts, with Node16 resolution through the
 * packages' `exports`. Catches declarations that break outside the workspace.
 */
function checkPublishedTypes() {
  const r = run(join(root, 'node_modules/.bin/tsc'), ['-p', join(examples, 'types-check')], { quiet: true });
  if (r.status !== 0) fail(`the published declarations do not type-check packages/examples/types-check/consumer.ts:\n${r.stdout}${r.stderr}`);
  log('published declarations type-check a consumer');
}

/** The first failing cell of an executed notebook, for the error report. */
function firstError(path) {
  try {
    const nb = JSON.parse(readFileSync(path, 'utf8'));
    for (const [i, c] of nb.cells.entries()) {
      for (const o of c.outputs ?? []) {
        if (o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr')) {
          const text = o.output_type === 'error' ? `${o.ename}: ${o.evalue}` : [].concat(o.text).join('');
          return `cell ${i}:\n${[].concat(c.source).join('')}\n---\n${text}`;
        }
      }
    }
  } catch {
    // no executed copy
  }
  return undefined;
}

function execute(file) {
  const start = Date.now();
  const env = { ...process.env, JUPYTER_PATH: join(jupyterHome, 'share/jupyter'), PYDEVD_DISABLE_FILE_VALIDATION: '1' };
  const r = run(
    JUPYTER,
    ['nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.kernel_name=tslab', '--ExecutePreprocessor.timeout=900', '--output-dir', outDir, join(nbDir, file)],
    { env, cwd: nbDir, quiet: true },
  );
  const secs = ((Date.now() - start) / 1000).toFixed(1);
  if (r.status !== 0) {
    // Re-run allowing errors, to show which cell failed and why.
    run(JUPYTER, ['nbconvert', '--to', 'notebook', '--execute', '--allow-errors', '--ExecutePreprocessor.kernel_name=tslab', '--output-dir', outDir, join(nbDir, file)], { env, cwd: nbDir, quiet: true });
    const detail = firstError(join(outDir, file)) ?? `${r.stdout}${r.stderr}`.split('\n').slice(-30).join('\n');
    fail(`${file} (${secs}s):\n${detail}`);
  }
  log(`✓ ${file} (${secs}s)`);
}

if (process.env.SKIP_NOTEBOOKS === '1') {
  console.log('[notebooks] skipped (SKIP_NOTEBOOKS=1)');
  process.exit(0);
}
const files = notebooks();
if (args.includes('--strip')) {
  for (const f of files) strip(f);
  console.log(`[notebooks] stripped outputs of ${files.length} notebook(s)`);
  process.exit(0);
}
if (args.includes('--images')) {
  if (!args.includes('--no-build')) ensureBuilt();
  const { writeImages } = await import('./notebooks.images.mjs');
  for (const p of await writeImages(root)) log(`wrote ${p.slice(root.length + 1)}`);
  process.exit(0);
}
const dirty = files.filter((f) => unstripped(f) > 0);
if (dirty.length > 0) fail(`outputs in ${dirty.join(', ')}: notebooks are committed without them: run \`node scripts/notebooks.mjs --strip\``);
ensureJupyter();
ensureKernel();
if (!args.includes('--no-build')) ensureBuilt();
checkPublishedTypes();
mkdirSync(outDir, { recursive: true });
for (const f of files) execute(f);
log(`all ${files.length} notebook(s) ran; executed copies in ${outDir.slice(root.length + 1)}/`);
