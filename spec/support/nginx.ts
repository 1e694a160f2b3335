// Debian's nginx for specs: the README's server block (read from the README, so the two cannot
// drift apart), adapted only where a test must differ (listen address and port, certificate
// paths, the bridge's port), wrapped in a minimal nginx.conf of its own in a temp directory.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';

const NGINX = '/usr/sbin/nginx';
const README = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');

export function nginxUnavailable(): string | undefined {
  if (!existsSync(NGINX)) return `${NGINX} not found (apt-get install nginx)`;
  if (spawnSync('openssl', ['version'], { stdio: 'ignore' }).status !== 0) return 'openssl not found';
  return undefined;
}

/** Skips the suite when nginx cannot run here; under CI=true that is a failure. */
export function requireNginx(suite: Mocha.Context): void {
  const reason = nginxUnavailable();
  if (!reason) return;
  if (process.env.CI === 'true') throw new Error(`nginx required on CI but unavailable: ${reason}`);
  process.stderr.write(`      [skipped: ${reason}]\n`);
  suite.skip();
}

/** The ```nginx block of the README's "Production behind a reverse proxy" section. */
export function readmeNginxBlock(): string {
  const readme = readFileSync(README, 'utf8');
  const section = readme.slice(readme.indexOf('## Production behind a reverse proxy'));
  const match = /```nginx\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('no ```nginx block in the README\'s "Production behind a reverse proxy" section');
  return match[1];
}

/** A throwaway self-signed certificate for `host` (and 127.0.0.1). */
export function selfSignedCertificate(dir: string, host: string): { cert: string; key: string; pem: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', `/CN=${host}`, '-addext', `subjectAltName=DNS:${host},IP:127.0.0.1`], { stdio: 'ignore' });
  return { cert, key, pem: readFileSync(cert, 'utf8') };
}

/** Replaces `pattern` in the block, failing loudly when the README no longer has it. */
function adapt(block: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(block)) throw new Error(`the README's nginx block no longer matches ${pattern}: update spec/support/nginx.ts`);
  return block.replace(pattern, replacement);
}

export interface Nginx {
  readonly port: number;
  readonly dir: string;
  readonly certificate: string;
  /** the server block as run */
  readonly serverBlock: string;
  stop(): Promise<void>;
}

export async function startNginx(options: { port: number; host: string; backendPort: number }): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-spec-'));
  // worker processes may run as another user: let them into their temp directories
  chmodSync(dir, 0o755);
  const tls = selfSignedCertificate(dir, options.host);
  let server = readmeNginxBlock();
  server = adapt(server, /listen 443 ssl( http2)?;/, `listen 127.0.0.1:${options.port} ssl$1;`);
  server = adapt(server, /ssl_certificate +\S+;/, `ssl_certificate     ${tls.cert};`);
  server = adapt(server, /ssl_certificate_key +\S+;/, `ssl_certificate_key ${tls.key};`);
  server = adapt(server, /proxy_pass http:\/\/127\.0\.0\.1:59084;/, `proxy_pass http://127.0.0.1:${options.backendPort};`);
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    mkdirSync(join(dir, sub));
    chmodSync(join(dir, sub), 0o777);
  }
  writeFileSync(join(dir, 'nginx.conf'), `daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log ${join(dir, 'access.log')};
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
${server}
}
`);
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${output} ${readIfExists(join(dir, 'error.log'))}`);
    if (await listening(options.port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port: options.port,
    dir,
    certificate: tls.pem,
    serverBlock: server,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readIfExists(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}
