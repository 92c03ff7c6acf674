/** Reading a request body without trusting the sender: a size cap, and no crash when they hang up. */
import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge';
  constructor(readonly limit: number) {
    super(`request body over ${limit} bytes`);
  }
}

export class BodyAborted extends Error {
  override readonly name = 'BodyAborted';
}

/**
 * The whole body as UTF-8, or a rejection: BodyTooLarge past `limit` bytes (declared or sent),
 * BodyAborted when the client goes away first. It never throws outside the returned promise.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      reject(new BodyTooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error: Error | null) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(new BodyTooLarge(limit));
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish(null));
    req.once('error', () => finish(new BodyAborted('the client closed the connection while sending')));
    req.once('close', () => finish(new BodyAborted('the client closed the connection while sending')));
  });
}
