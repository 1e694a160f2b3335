// The command line: --help everywhere, exit codes scripts can rely on (0 ok, 1 failure, 2 usage or
// configuration), and `demo` printing the one URL to open and stopping cleanly on Ctrl-C.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../lib/cli/main.js';
import { COMMANDS } from '../../lib/cli/commands/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((chunk: string) => { out += chunk; return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => { err += chunk; return true; }) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

describe('command line', () => {
  it('lists every command, including demo and check-config', async () => {
    const { code, out } = await run(['--help']);
    expect(code).to.equal(0);
    for (const command of COMMANDS) expect(out).to.contain(command.path.join(' '));
    expect(out).to.match(/demo +try the bridge/);
    expect(out).to.match(/check-config +validate the configuration/);
  });

  it('answers --help for every command and command group with exit code 0', async () => {
    for (const command of COMMANDS) {
      const { code, out } = await run([...command.path, '--help']);
      expect(code, command.path.join(' ')).to.equal(0);
      expect(out, command.path.join(' ')).to.contain(`Usage: cas-oidc-bridge ${command.path.join(' ')}`);
    }
    const group = await run(['db', '--help']);
    expect(group.code).to.equal(0);
    expect(group.out).to.contain('db migrate').and.contain('db cleanup');
  });

  it('exits 2 on bad usage', async () => {
    expect((await run([])).code).to.equal(2);
    expect((await run(['frobnicate'])).code).to.equal(2);
    expect((await run(['db'])).code).to.equal(2);
    expect((await run(['db', 'frobnicate'])).code).to.equal(2);
    const bad = await run(['check-config', '--bogus']);
    expect(bad.code).to.equal(2);
    expect(bad.err).to.contain('check-config: unknown option --bogus\n');
    expect((await run(['demo', '--port', 'eighty'])).code).to.equal(2);
    expect((await run(['demo', '--config', 'x.json'])).code).to.equal(2);
  });

  it('check-config exits 2 on an invalid configuration file', async () => {
    const { code, out } = await run(['check-config', '--config', join(ROOT, 'config.example.json'), '--no-probe']);
    expect(code).to.equal(2);
    expect(out).to.contain('SECRET_KEY: is a placeholder value');
    expect(out).to.contain('clients[0].client_secret: is a placeholder value');
  });

  it('demo prints one URL, serves it, and exits 0 on Ctrl-C', async function () {
    this.timeout(60_000);
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'lib', 'cli', 'bin.ts'), 'demo', '--port', '0'], {
      cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let out = '';
    child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    const deadline = Date.now() + 30_000;
    while (!out.includes('Ctrl-C') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    try {
      const urls = out.match(/https?:\/\/\S+/g) ?? [];
      expect(urls, out).to.have.length(1);
      const page = await fetch(urls[0]!);
      expect(page.status).to.equal(200);
      expect(await page.text()).to.contain('>Log in</a>');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).to.equal(0);
  });
});
