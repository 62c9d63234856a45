import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

/** What each well-known test card does when charged. */
const CARD_BEHAVIOUR: Record<string, { code: string; decline_code?: string; message: string } | null> = {
  '4242424242424242': null,
  '4000000000000002': { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' },
  '4000000000009995': { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  '4000002500003155': { code: 'authentication_required', decline_code: 'authentication_required', message: 'Your card was declined. This transaction requires authentication.' },
};

function luhn(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = Number(number[number.length - 1 - i]);
    if (i % 2 === 1 && (d *= 2) > 9) d -= 9;
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * A fake of the Stripe REST API, enough for the provider: `POST /v1/payment_methods` (cards) and
 * `POST /v1/payment_intents` (confirmed charges), form-encoded bodies as the SDK sends them, bearer
 * secret keys, card errors as 402 `{ error: { type: 'card_error', code, decline_code, message } }`,
 * and `Idempotency-Key` replays of the first response, as Stripe does. (billing's provider spec and
 * the Stripe end-to-end spec share it.)
 */
export class FakeStripeServer {
  private server?: Server;
  readonly secretKey = `sk_test_${randomBytes(8).toString('hex')}`;
  private readonly cards = new Map<string, string>();
  private readonly replays = new Map<string, { status: number; body: unknown }>();
  /** PaymentIntents actually created (replays excluded). */
  readonly intents: Array<{ id: string; amount: number; currency: string; payment_method: string; status: string }> = [];
  readonly requests: Array<{ method: string; path: string; idempotencyKey: string | null }> = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
    this.requests.push({ method: req.method ?? '', path: req.url ?? '', idempotencyKey: key });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${randomBytes(6).toString('hex')}`, ...(key ? { 'idempotency-key': key } : {}) });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${this.secretKey}`) return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } });
    const replayKey = key ? `${req.url}:${key}` : null;
    const replay = replayKey ? this.replays.get(replayKey) : undefined;
    if (replay) return send(replay.status, replay.body);
    const answer = this.route(req.method ?? '', req.url ?? '', form);
    if (replayKey) this.replays.set(replayKey, answer);
    send(answer.status, answer.body);
  }

  private route(method: string, path: string, form: URLSearchParams): { status: number; body: unknown } {
    if (method === 'POST' && path === '/v1/payment_methods') {
      const number = form.get('card[number]') ?? '';
      if (!/^\d{12,19}$/.test(number) || !luhn(number)) {
        return { status: 402, body: { error: { type: 'card_error', code: 'incorrect_number', message: 'Your card number is incorrect.', param: 'card[number]' } } };
      }
      const id = `pm_${randomBytes(8).toString('hex')}`;
      this.cards.set(id, number);
      const brand = number.startsWith('4') ? 'visa' : number.startsWith('5') ? 'mastercard' : 'unknown';
      return {
        status: 200,
        body: { id, object: 'payment_method', type: 'card', card: { brand, last4: number.slice(-4), exp_month: Number(form.get('card[exp_month]')), exp_year: Number(form.get('card[exp_year]')) } },
      };
    }
    if (method === 'POST' && path === '/v1/payment_intents') {
      const pm = form.get('payment_method') ?? '';
      const number = this.cards.get(pm);
      if (!number) return { status: 400, body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such PaymentMethod: '${pm}'` } } };
      const id = `pi_${randomBytes(8).toString('hex')}`;
      const failure = CARD_BEHAVIOUR[number] ?? null;
      const intent = { id, object: 'payment_intent', amount: Number(form.get('amount')), currency: form.get('currency') ?? '', payment_method: pm, status: failure ? 'requires_payment_method' : 'succeeded' };
      this.intents.push(intent);
      if (failure) return { status: 402, body: { error: { type: 'card_error', ...failure, payment_intent: intent } } };
      return { status: 200, body: intent };
    }
    return { status: 404, body: { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` } } };
  }
}
