// A real third-party relying party for specs: Apache httpd with mod_auth_openidc (Debian's
// libapache2-mod-auth-openidc), protecting /protected/ and echoing the claims it received in
// response headers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.js';

const MODULES = '/usr/lib/apache2/modules';
const HTTPD = '/usr/sbin/apache2';

export function apacheUnavailable(): string | undefined {
  if (!existsSync(HTTPD)) return 'apache2 is not installed (apt-get install apache2)';
  if (!existsSync(join(MODULES, 'mod_auth_openidc.so'))) return 'mod_auth_openidc is not installed (apt-get install libapache2-mod-auth-openidc)';
  return undefined;
}

export interface ApacheRp {
  readonly url: string;
  readonly redirectUri: string;
  errorLog(): string;
  stop(): Promise<void>;
}

export interface ApacheRpOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly auth?: 'client_secret_post' | 'client_secret_basic';
  readonly scope?: string;
  readonly port?: number;
}

export async function startApacheRp(options: ApacheRpOptions): Promise<ApacheRp> {
  const dir = mkdtempSync(join(tmpdir(), 'apache-rp-'));
  chmodSync(dir, 0o755);
  const docroot = join(dir, 'htdocs', 'protected');
  mkdirSync(docroot, { recursive: true });
  writeFileSync(join(docroot, 'index.html'), '<!doctype html><p>protected content</p>\n');
  const port = options.port ?? await freePort();
  const url = `http://127.0.0.1:${port}`;
  const redirectUri = `${url}/protected/redirect_uri`;
  const modules = ['mpm_event', 'authz_core', 'authz_user', 'authn_core', 'headers', 'mime', 'dir', 'unixd', 'log_config'];
  const conf = `
ServerRoot ${dir}
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile ${dir}/httpd.pid
ErrorLog ${dir}/error.log
LogLevel warn auth_openidc:info
${modules.filter((m) => existsSync(join(MODULES, `mod_${m}.so`))).map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`).join('\n')}
LoadModule auth_openidc_module ${MODULES}/mod_auth_openidc.so
User www-data
Group www-data
TypesConfig /etc/mime.types
DocumentRoot ${dir}/htdocs
DirectoryIndex index.html
OIDCProviderMetadataURL ${options.issuer}/.well-known/openid-configuration
OIDCClientID ${options.clientId}
OIDCClientSecret ${options.clientSecret}
OIDCRedirectURI ${redirectUri}
OIDCCryptoPassphrase apache-rp-spec-passphrase-0123456789
OIDCScope "${options.scope ?? 'openid email profile groups'}"
OIDCProviderTokenEndpointAuth ${options.auth ?? 'client_secret_post'}
OIDCPKCEMethod S256
OIDCSSLValidateServer Off
OIDCRemoteUserClaim sub
OIDCPassClaimsAs environment
<Location /protected>
  AuthType openid-connect
  Require valid-user
  Header always set X-Claim-Sub "%{OIDC_CLAIM_sub}e"
  Header always set X-Claim-Email "%{OIDC_CLAIM_email}e"
  Header always set X-Claim-Name "%{OIDC_CLAIM_name}e"
  Header always set X-Claim-Groups "%{OIDC_CLAIM_groups}e"
</Location>
`;
  writeFileSync(join(dir, 'httpd.conf'), conf);
  const check = spawnSync(HTTPD, ['-t', '-f', join(dir, 'httpd.conf')], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`apache config test failed: ${check.stderr}`);
  const child: ChildProcess = spawn(HTTPD, ['-f', join(dir, 'httpd.conf'), '-DFOREGROUND'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`apache exited: ${output} ${readLog(dir)}`);
    try {
      await fetch(`${url}/`, { signal: AbortSignal.timeout(500) });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`apache did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    redirectUri,
    errorLog: () => readLog(dir),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'error.log'), 'utf8');
  } catch {
    return '';
  }
}
