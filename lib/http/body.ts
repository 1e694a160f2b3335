// Request bodies of the server-to-server endpoints CAS calls (single logout, proxy callback):
// read with a size cap, since the bridge parses them itself rather than through a body parser.
import type { Context } from 'koa';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The body as UTF-8 text; throws BodyTooLargeError past `limit` bytes (declared or received). */
export async function readCappedBody(ctx: Pick<Context, 'get' | 'req'>, limit: number): Promise<string> {
  if (Number(ctx.get('content-length') || 0) > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A short plain-text answer for a machine caller (never an HTML page). */
export function answerText(ctx: Context, status: number, text: string): void {
  ctx.status = status;
  ctx.type = 'text/plain; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = text.endsWith('\n') ? text : `${text}\n`;
}
