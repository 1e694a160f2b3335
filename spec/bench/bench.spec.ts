// `npm run bench` end to end with a handful of logins: it must finish, count no errors and print
// every figure for both servers. Speeds are printed for people, never asserted here.
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { ROOT } from '../support/cli-process.js';

function runBench(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], {
      cwd: ROOT, env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run bench', function () {
  this.timeout(180_000);

  it('drives complete logins against the bridge and the bare provider and prints every figure', async () => {
    const { code, output } = await runBench(['--logins', '12', '--concurrency', '3', '--max-seconds', '60']);
    expect(code, output).to.equal(0);
    expect(output).to.match(/run 1 bare: [\d.]+ logins\/s, [\d.]+ CPU ms\/login, 0 errors/);
    expect(output).to.match(/run 1 bridge: [\d.]+ logins\/s, [\d.]+ CPU ms\/login, 0 errors/);
    for (const label of ['logins/s', 'login p50 ms', 'login p95 ms', 'login p99 ms', 'CPU ms per login', '/userinfo per s', '/token refresh per s', 'peak RSS MB']) {
      const row = output.split('\n').find((line) => line.startsWith(label));
      expect(row, label).to.match(new RegExp(`^${label.replace(/[/.]/g, '\\$&')}\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+x$`));
    }
    expect(output).to.match(/^errors\s+0\s+0\s*$/m);
  });

  it('refuses a database that is not on loopback, with exit code 2', async () => {
    const { code, output } = await runBench(['--logins', '1', '--database-url', 'postgres://db.example.org/test']);
    expect(code).to.equal(2);
    expect(output).to.include('--database-url must point at a database on loopback');
  });
});
