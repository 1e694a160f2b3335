// Demo mode: a bridge on SQLite in a temporary directory, the demo CAS and a demo application, all
// on loopback, with secrets generated for this run. One URL to open: the demo application's.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLoopbackHost, loadConfig, type SettingName } from '../config/index.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { sendProviderNoticesTo } from '../observability/provider-notices.js';
import { startBridge, type RunningBridge } from '../server/bridge.js';
import { demoAttributes } from './attributes.js';
import { MiniCas } from './mini-cas.js';
import { DemoRelyingParty } from './relying-party.js';
import { bind } from '../http/server.js';

export class DemoRefusedError extends Error {}

export interface DemoOptions {
  /** port of the demo application (0: any free port) */
  readonly port?: number;
  /** port of the bridge (default 0: any free port) */
  readonly bridgePort?: number;
  /** port of the demo CAS (default 0: any free port) */
  readonly casPort?: number;
  /** loopback only: the demo CAS accepts any password */
  readonly host?: string;
  readonly logger?: Logger;
  /** a CAS to use instead of the demo CAS (specs: a real CAS server) */
  readonly casLoginUrl?: string;
  /** more bridge settings (specs: branding, log level) */
  readonly settings?: Partial<Record<SettingName, unknown>>;
  /** access rules of the demo application (specs: the access-denied page) */
  readonly access?: unknown;
}

export interface RunningDemo {
  /** the one URL to open: the demo application */
  readonly url: string;
  readonly bridge: RunningBridge;
  /** the demo CAS base URL (undefined with `casLoginUrl`) */
  readonly casUrl: string | undefined;
  readonly dir: string;
  close(): Promise<void>;
}

export const DEMO_CLIENT_ID = 'demo-app';

/** The demo CAS takes any password: it must never be reachable from another machine. */
export function assertLoopback(what: string, url: string): void {
  const host = URL.parse(url)?.hostname ?? '';
  if (!isLoopbackHost(host)) throw new DemoRefusedError(`demo mode runs on loopback only; ${what} ${url} is not a loopback address`);
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const host = options.host ?? '127.0.0.1';
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const bridgePort = options.bridgePort || await freePort(host);
  const issuer = `http://${shownHost}:${bridgePort}`;
  assertLoopback('the issuer', issuer);

  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.reverse()) await step();
  };
  try {
    const dir = mkdtempSync(join(tmpdir(), 'cas-oidc-bridge-demo-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

    // the application listens first: its port is part of the redirect URI the bridge must know
    const appServer = createServer();
    const appPort = (await bind(appServer, options.port ?? 0, host)).port;
    cleanups.push(() => new Promise<void>((resolve) => {
      appServer.close(() => resolve());
      appServer.closeAllConnections();
    }));
    const appUrl = `http://${shownHost}:${appPort}`;

    let casLoginUrl = options.casLoginUrl;
    let casUrl: string | undefined;
    if (!casLoginUrl) {
      const cas = await new MiniCas({
        acceptAnyUser: true,
        defaultAttributes: demoAttributes,
        title: 'Demo CAS: any username, any password',
      }).listen(options.casPort ?? 0, host);
      cleanups.push(() => cas.close());
      casUrl = cas.url;
      casLoginUrl = `${cas.url}/login`;
    }

    const clientSecret = randomBytes(32).toString('base64url');
    const rp = new DemoRelyingParty({ issuer, clientId: DEMO_CLIENT_ID, clientSecret, baseUrl: appUrl });
    const config = loadConfig({
      env: {},
      cwd: dir,
      overrides: {
        ISSUER: issuer,
        HOST: host,
        PORT: bridgePort,
        CAS_LOGIN_URL: casLoginUrl,
        // generated for this run: nothing weak is accepted, not even in the demo
        SECRET_KEY: randomBytes(48).toString('base64url'),
        COOKIE_SECURE: false,
        DATABASE_PATH: join(dir, 'bridge.sqlite3'),
        BRAND_NAME: 'CAS OIDC Bridge (demo)',
        CLIENTS: [{
          client_id: DEMO_CLIENT_ID,
          client_secret: clientSecret,
          client_name: 'Demo application',
          redirect_uris: [rp.redirectUri],
          post_logout_redirect_uris: [rp.postLogoutRedirectUri],
          scope: ['openid', 'profile', 'email', 'groups'],
          ...(options.access === undefined ? {} : { access: options.access }),
        }],
        ...options.settings,
      },
    });
    assertLoopback('the issuer', config.issuer);
    const logger = options.logger ?? createLogger(config.logging.level);
    sendProviderNoticesTo(logger);
    const bridge = await startBridge(config, { logger });
    cleanups.push(() => bridge.close());
    appServer.on('request', rp.callback());

    let closing: Promise<void> | undefined;
    return { url: `${appUrl}/`, bridge, casUrl, dir, close: () => (closing ??= cleanup()) };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
