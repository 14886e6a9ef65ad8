#!/usr/bin/env node
// Compiles lib/ into JavaScript plus .d.ts declarations under build/lib/ (git-ignored), which the
// notebooks import (`import * as wb from "./build/lib/index"`): tslab then reads declarations
// and runs compiled JavaScript instead of type-checking and compiling every lib/ file in every
// kernel. Every lib/**/*.ts is compiled, so any entry (lib/index.ts, lib/experiment/index.ts,
// lib/sections/*.ts) is importable as build/lib/<same path>.
//
// The build is stamped with a hash of its inputs (every lib/**/*.ts path and content,
// tsconfig.json, this script, the TypeScript version) in build/lib/.build.json; a fresh build
// is left alone (one hash, ~tens of ms), a stale one is rebuilt from scratch into a temporary
// folder and swapped in, so a kernel never sees half a build and outputs of deleted sources go.
// Run by bin/setup, by bin/run_notebooks.py before the notebooks, and by bin/tslab-kernel at
// every kernel start: editing lib/ takes effect at the next kernel (re)start.
//
// Type errors do not stop the build (JavaScript is emitted as tsx would run it): they are
// printed on stderr and recorded in the stamp; `npx tsc --noEmit -p tsconfig.json` is the check.
//
// Usage: node bin/build-lib.cjs [--quiet] [--check] [--root DIR]
//   --quiet  print nothing when the build is fresh
//   --check  only say whether the build is fresh (exit 0) or stale (exit 3); build nothing
//   --root   the checkout to build (default: the one this script is in)
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

function parseArgs(argv) {
  const opts = { quiet: false, check: false, root: path.resolve(__dirname, "..") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quiet") opts.quiet = true;
    else if (a === "--check") opts.check = true;
    else if (a === "--root" && i + 1 < argv.length) opts.root = path.resolve(argv[++i]);
    else throw new Error(`build-lib: unknown argument ${a} (usage: build-lib.cjs [--quiet] [--check] [--root DIR])`);
  }
  return opts;
}

/** Every lib/**\/*.ts below `dir`, as paths relative to `root` with forward slashes, sorted. */
function sources(root, dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith(".ts")) out.push(path.relative(root, p).split(path.sep).join("/"));
    }
  };
  walk(dir);
  return out.sort();
}

/** sha256 over the build's inputs: paths and contents (so an added, removed or renamed file counts). */
function sourceHash(root, files, tsVersion) {
  const h = crypto.createHash("sha256");
  const add = (label, data) => {
    h.update(`${label}\0${data.length}\0`);
    h.update(data);
  };
  add("typescript", tsVersion);
  add("build-lib.cjs", fs.readFileSync(__filename));
  add("tsconfig.json", fs.readFileSync(path.join(root, "tsconfig.json")));
  for (const f of files) add(f, fs.readFileSync(path.join(root, f)));
  return h.digest("hex");
}

function readStamp(file) {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

/** Compiles `files` with tsconfig.json's options (plus emit settings) into `outDir`; returns the diagnostics as text. */
function compile(ts, root, files, outDir) {
  const configPath = path.join(root, "tsconfig.json");
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
  const options = {
    ...parsed.options,
    noEmit: false,
    declaration: true,
    declarationMap: true,
    sourceMap: true,
    rootDir: path.join(root, "lib"),
    outDir,
    incremental: false,
    tsBuildInfoFile: undefined,
  };
  const program = ts.createProgram(
    files.map((f) => path.join(root, f)),
    options,
  );
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" };
  return { errors: diagnostics.length, text: diagnostics.length ? ts.formatDiagnostics(diagnostics, host) : "", emitSkipped: emitted.emitSkipped };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const root = opts.root;
  const libDir = path.join(root, "lib");
  const buildDir = path.join(root, "build");
  const dest = path.join(buildDir, "lib");
  const stampFile = path.join(dest, ".build.json");
  const ts = require(require.resolve("typescript", { paths: [root] }));
  const files = sources(root, libDir);
  if (files.length === 0) throw new Error(`build-lib: no .ts files under ${libDir}`);
  const hash = sourceHash(root, files, ts.version);
  const stamp = readStamp(stampFile);
  if (stamp && stamp.hash === hash) {
    if (!opts.quiet) console.log(`[build-lib] build/lib is up to date (${files.length} files${stamp.errors ? `, ${stamp.errors} type error(s) at build time` : ""})`);
    return 0;
  }
  if (opts.check) {
    console.log(`[build-lib] build/lib is ${stamp ? "stale" : "missing"}`);
    return 3;
  }
  const start = process.hrtime.bigint();
  fs.mkdirSync(buildDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(buildDir, ".tmp-"));
  let result;
  try {
    result = compile(ts, root, files, tmp);
    if (result.emitSkipped) throw new Error("build-lib: TypeScript skipped the emit");
    fs.writeFileSync(
      path.join(tmp, ".build.json"),
      JSON.stringify({ hash, typescript: ts.version, files: files.length, errors: result.errors, built: new Date().toISOString() }, null, 1) + "\n",
    );
    // swap: the old build moves aside, the new one takes its place (two renames), the old one goes
    const old = fs.existsSync(dest) ? `${tmp}-old` : null;
    if (old) fs.renameSync(dest, old);
    fs.renameSync(tmp, dest);
    if (old) fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`[build-lib] compiled ${files.length} lib/ files into build/lib in ${seconds.toFixed(1)} s`);
  if (result.errors) {
    console.error(`[build-lib] lib/ has ${result.errors} type error(s); the JavaScript was emitted anyway (npx tsc --noEmit -p tsconfig.json to check):`);
    console.error(result.text);
  }
  return 0;
}

try {
  process.exitCode = main();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
}
