// Database statements per operation, counted by the bridge itself: a bridge of its own, started
// with its metrics listener (so the measured runs carry no metrics work), whose per-statement
// histogram (`cas_oidc_bridge_db_query_duration_seconds_count`) is read before and after some
// logins, /userinfo calls and refreshes driven one at a time. Every statement is one round trip
// to the database.
import got from 'got';
import { login, refresh, userinfo, type LoginResult, type Target } from './driver.js';

export interface StatementCounts {
  /** a complete login as the driver makes it: authorize … code → /token → one /userinfo */
  readonly login: number;
  readonly userinfo: number;
  readonly refresh: number;
}

const COUNT = /^cas_oidc_bridge_db_query_duration_seconds_count\{[^}]*\} (\d+)$/gm;

async function statementsSoFar(metricsUrl: string): Promise<number> {
  const body = await got(metricsUrl).text();
  return [...body.matchAll(COUNT)].reduce((sum, m) => sum + Number(m[1]), 0);
}

export async function countStatements(target: Target, metricsUrl: string, operations = 30): Promise<StatementCounts> {
  for (let i = 0; i < 5; i += 1) await login(target);
  const per = async (work: (i: number) => Promise<unknown>): Promise<number> => {
    const before = await statementsSoFar(metricsUrl);
    for (let i = 0; i < operations; i += 1) await work(i);
    return ((await statementsSoFar(metricsUrl)) - before) / operations;
  };
  const results: LoginResult[] = [];
  const perLogin = await per(async () => { results.push(await login(target)); });
  const perUserinfo = await per((i) => userinfo(target, results[i]!.accessToken));
  const perRefresh = await per((i) => refresh(target, results[i]!.refreshToken ?? ''));
  return { login: perLogin, userinfo: perUserinfo, refresh: perRefresh };
}
