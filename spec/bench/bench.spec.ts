// `npm run bench` end to end with a handful of logins: it must finish, count no errors and print
// every figure for both servers. Speeds are printed for people, never asserted here.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    for (const label of ['logins/s', 'login p50 ms', 'login p95 ms', 'login p99 ms', 'login p99 ms at C=32', 'CPU ms per login', '/userinfo per s', '/token refresh per s', 'peak RSS MB']) {
      const row = output.split('\n').find((line) => line.startsWith(label));
      expect(row, label).to.match(new RegExp(`^${label.replace(/[/.]/g, '\\$&')}\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+x$`));
    }
    expect(output).to.match(/^errors\s+0\s+0\s*$/m);
    // counted by the bridge's own metrics: a login, a /userinfo and a refresh each touch the database
    const counts = /bridge database statements \(round trips\): ([\d.]+) per login \(with its \/userinfo\), ([\d.]+) per \/userinfo, ([\d.]+) per refresh/.exec(output);
    expect(counts, output).to.not.equal(null);
    expect(Number(counts![1])).to.be.greaterThan(Number(counts![2]));
    expect(Number(counts![2])).to.be.greaterThan(0);
    expect(Number(counts![3])).to.be.greaterThan(0);
  });

  it('--cpu-prof: writes the profiles and prints where each server\'s CPU per login goes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-prof-'));
    try {
      const { code, output } = await runBench(['--logins', '8', '--concurrency', '2', '--max-seconds', '60', '--cpu-prof', dir]);
      expect(code, output).to.equal(0);
      expect(readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).length, 'profiles').to.be.at.least(2);
      for (const part of ['adapter and SQL driver', 'oidc-provider', 'outside the main thread']) {
        expect(output).to.match(new RegExp(`^${part}.*\\s-?[\\d.]+\\s+-?[\\d.]+\\s+-?[\\d.]+$`, 'm'));
      }
      const total = /^total \(= \/proc CPU\)\s+([\d.]+)\s+([\d.]+)/m.exec(output);
      expect(total, output).to.not.equal(null);
      expect(Number(total![1])).to.be.greaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--sustain: logins without pause, printing the rows of every table and the memory as it goes', async () => {
    const { code, output } = await runBench(['--sustain', '8', '--concurrency', '2']);
    expect(code, output).to.equal(0);
    const samples = output.split('\n').filter((line) => /^t=\s*\d+s logins\s+\d+\s+rows: oidc \d+, pending \d+, tickets \d+, pgt_ious \d+, pgts \d+, accounts \d+\s+RSS \d+ MB$/.test(line));
    expect(samples.length, output).to.be.at.least(3);
    const last = /logins\s+(\d+)\s+rows: oidc (\d+)/.exec(samples.at(-1)!)!;
    expect(Number(last[1]), 'logins done').to.be.greaterThan(0);
    expect(Number(last[2]), 'oidc-provider records written').to.be.greaterThan(0);
    expect(output).to.match(/\d+ logins in 8 s \([\d.]+\/s\), 0 errors; rows of expiring state: peak \d+, last \d+; bridge peak RSS \d+ MB/);
  });

  it('refuses a database that is not on loopback, with exit code 2', async () => {
    const { code, output } = await runBench(['--logins', '1', '--database-url', 'postgres://db.example.org/test']);
    expect(code).to.equal(2);
    expect(output).to.include('--database-url must point at a database on loopback');
  });
});
