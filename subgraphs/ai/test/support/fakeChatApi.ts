import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request that the fake API received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/** The reply that the fake API sends to the next requests. */
export interface FakeReply {
  status: number;
  /** Sent as JSON unless it is a string. */
  body: unknown;
  /** Delay before the reply is sent, in milliseconds. */
  delayMs?: number;
}

/**
 * A stand-in for an OpenAI-compatible chat completions API on 127.0.0.1, recording every
 * request and replying with `reply`, which a test may change at any time.
 */
export class FakeChatApi {
  readonly received: ReceivedRequest[] = [];
  reply: FakeReply = { status: 200, body: chatCompletion('["One.", "Two.", "Three."]') };
  /** Replies sent before `reply`, first to last, each to one request. */
  nextReplies: FakeReply[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly timers = new Set<NodeJS.Timeout>();

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.received.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>,
    });

    const { status, body, delayMs = 0 } = this.nextReplies.shift() ?? this.reply;
    const send = () => {
      if (res.destroyed) return;
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(text);
    };
    if (delayMs === 0) return send();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      send();
    }, delayMs);
    this.timers.add(timer);
  }
}

/** Returns a chat completion response whose first choice has `content`. */
export function chatCompletion(content: string) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  };
}
