// The package as `npm install` or `npm pack` would lay it out, for specs that run it the way an
// admin does (`npm start`, a systemd unit): a fresh build in a temporary directory with the
// package.json, the views and the dependencies. Built once per run; readable by any user.
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './cli-process.js';

let built: Promise<string> | undefined;

/** The package directory; its `dist/lib/cli/bin.js` is the `cas-oidc-bridge` executable. */
export function builtPackage(): Promise<string> {
  built ??= (async () => {
    const pkg = mkdtempSync(join(tmpdir(), 'bridge-package-'));
    chmodSync(pkg, 0o755);
    await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], { cwd: ROOT });
    chmodSync(join(pkg, 'dist', 'lib', 'cli', 'bin.js'), 0o755);
    copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    copyFileSync(join(ROOT, 'config.example.json'), join(pkg, 'config.example.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    symlinkSync(join(ROOT, 'views'), join(pkg, 'views'));
    return pkg;
  })();
  return built;
}

after(async () => {
  if (built) rmSync(await built, { recursive: true, force: true });
});
