// One GET over node:http/https, with the agent (CA, client certificate, proxy) the client
// library builds. The library's transport (node-fetch 2) never settles the body of an answer
// whose connection closes before Content-Length bytes arrived (node-fetch/node-fetch#1604), so
// netpolc waited for --request-timeout, or with no timeout exited with Node's code 13. Go's
// net/http fails such a read at once (io.ErrUnexpectedEOF), and so does this.
import { constants } from 'node:buffer';
import { request as httpRequest, type Agent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { gunzip } from 'node:zlib';

/** A complete answer. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** The connection failed; `received` is set when it failed in the middle of an answer's body. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly code: string | undefined;
  readonly received: { readonly bytes: number; readonly expected: number | undefined } | undefined;

  constructor(message: string, code: string | undefined, received?: { bytes: number; expected: number | undefined }) {
    super(message);
    this.code = code;
    this.received = received;
  }
}

/** The answer is larger than a JavaScript string can hold. */
export class AnswerTooLarge extends Error {
  override readonly name = 'AnswerTooLarge';
}

function gunzipText(body: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    gunzip(body, { maxOutputLength: constants.MAX_STRING_LENGTH }, (err, out) => {
      if (!err) resolve(out.toString('utf8'));
      else if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') reject(new AnswerTooLarge(err.message));
      else reject(new TransportError(`the answer's gzip encoding is broken: ${err.message}`, (err as NodeJS.ErrnoException).code));
    });
  });
}

/**
 * GETs `url` and reads the whole body, decoding gzip (which netpolc asks for with `gzip`, as Go's
 * transport does unless the kubeconfig sets disable-compression: an API server compresses large
 * lists). Rejects with {@link TransportError} when the
 * connection fails or closes before the body is complete, and when `signal` aborts.
 */
export function httpGet(url: URL, options: { agent: Agent | undefined; headers: Record<string, string | string[]>; signal: AbortSignal; gzip: boolean }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', agent: options.agent, headers: { ...options.headers, ...(options.gzip ? { 'Accept-Encoding': 'gzip' } : {}) }, signal: options.signal });
    req.on('error', (err: NodeJS.ErrnoException) => reject(new TransportError(err.message, err.code)));
    req.on('response', (res: IncomingMessage) => {
      const length = Number(res.headers['content-length']);
      const expected = Number.isFinite(length) ? length : undefined;
      const chunks: Buffer[] = [];
      let bytes = 0;
      const cut = (): void => reject(new TransportError('the connection closed before the whole answer arrived', 'ECONNRESET', { bytes, expected }));
      res.on('data', (b: Buffer) => {
        bytes += b.length;
        if (bytes > constants.MAX_STRING_LENGTH) {
          reject(new AnswerTooLarge(`more than ${constants.MAX_STRING_LENGTH} bytes`));
          req.destroy();
          return;
        }
        chunks.push(b);
      });
      res.on('error', cut);
      // Without an error event (a close after the headers of a body of unknown length), `complete`
      // still tells a whole answer from a cut one.
      res.on('close', () => {
        if (!res.complete) cut();
      });
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const gz = String(res.headers['content-encoding'] ?? '').toLowerCase() === 'gzip';
        const text = gz ? gunzipText(body) : Promise.resolve(body.toString('utf8'));
        text.then((t) => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: t }), reject);
      });
    });
    req.end();
  });
}
