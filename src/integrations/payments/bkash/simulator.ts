/**
 * A bKash tokenized-checkout simulator: a real HTTP server on 127.0.0.1 with the paths, JSON shapes
 * and auth of bKash's API (grant token with username/password headers and app key/secret, create
 * payment, execute, payment status, refund). The payer's side is played by the test: pay (the PIN
 * on bKash's page), cancel, wrong PIN, insufficient balance; then the payer is redirected to our
 * callbackURL, which the test follows (or not, for a lost redirect).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type BkashState = 'Initiated' | 'Authorized' | 'Completed' | 'Failed' | 'Cancelled';

export interface BkashPaymentRecord {
  readonly paymentID: string;
  readonly amount: string;
  readonly payerReference: string;
  readonly merchantInvoiceNumber: string;
  readonly callbackURL: string;
  state: BkashState;
  failure?: { statusCode: string; statusMessage: string };
  trxID?: string;
  executions: number;
  refunds: { refundTrxID: string; amount: string }[];
}

export class BkashSimulator {
  readonly payments = new Map<string, BkashPaymentRecord>();
  tokensIssued = 0;
  readonly #tokens = new Set<string>();

  private constructor(
    readonly server: Server,
    readonly baseUrl: string,
    readonly appKey: string,
    readonly appSecret: string,
    readonly username: string,
    readonly password: string,
  ) {}

  static async start(): Promise<BkashSimulator> {
    let sim: BkashSimulator | undefined;
    const server = createServer((req, res) => void sim!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    sim = new BkashSimulator(server, `http://127.0.0.1:${port}/v1.2.0-beta`, randomBytes(10).toString('hex'), randomBytes(16).toString('hex'), 'sandboxTokenizedUser02', randomBytes(8).toString('hex'));
    return sim;
  }

  get credentials(): Record<string, string> {
    return { baseUrl: this.baseUrl, appKey: this.appKey, appSecret: this.appSecret, username: this.username, password: this.password };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  last(): BkashPaymentRecord {
    const all = [...this.payments.values()];
    if (!all.length) throw new Error('no bKash payment was created');
    return all[all.length - 1]!;
  }

  #get(id: string): BkashPaymentRecord {
    const p = this.payments.get(id);
    if (!p) throw new Error(`no bKash payment ${id}`);
    return p;
  }

  /** The payer enters the PIN and OTP on bKash's page: authorized, waiting for the merchant's execute. Returns the redirect URL. */
  pay(paymentID: string): string {
    this.#get(paymentID).state = 'Authorized';
    return this.redirectUrl(paymentID, 'success');
  }
  cancel(paymentID: string): string {
    this.#get(paymentID).state = 'Cancelled';
    return this.redirectUrl(paymentID, 'cancel');
  }
  wrongPin(paymentID: string): string {
    const p = this.#get(paymentID);
    p.state = 'Failed';
    p.failure = { statusCode: '2014', statusMessage: 'Wrong PIN' };
    return this.redirectUrl(paymentID, 'failure');
  }
  insufficientBalance(paymentID: string): string {
    const p = this.#get(paymentID);
    p.state = 'Failed';
    p.failure = { statusCode: '2023', statusMessage: 'Insufficient Balance' };
    return this.redirectUrl(paymentID, 'failure');
  }

  /** Our execute reached bKash and moved the money, but its answer was lost on the way back. */
  executeLost(paymentID: string): void {
    const p = this.#get(paymentID);
    p.state = 'Completed';
    p.executions++;
    p.trxID = `B${randomBytes(5).toString('hex').toUpperCase()}`;
  }

  redirectUrl(paymentID: string, status: 'success' | 'failure' | 'cancel'): string {
    const u = new URL(this.#get(paymentID).callbackURL);
    u.searchParams.set('paymentID', paymentID);
    u.searchParams.set('status', status);
    u.searchParams.set('apiVersion', '1.2.0-beta');
    return u.toString();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (body: unknown, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/^\/v1\.2\.0-beta/, '');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return send({ statusCode: '9999', statusMessage: 'System Error' }, 400);
    }
    if (req.method !== 'POST') return send({ statusCode: '9999', statusMessage: 'Method not allowed' }, 405);

    if (path === '/tokenized/checkout/token/grant') {
      if (req.headers.username !== this.username || req.headers.password !== this.password || body.app_key !== this.appKey || body.app_secret !== this.appSecret)
        return send({ statusCode: '2079', statusMessage: 'Invalid username and password' }, 401);
      const token = randomBytes(24).toString('base64url');
      this.#tokens.add(token);
      this.tokensIssued++;
      return send({ statusCode: '0000', statusMessage: 'Successful', id_token: token, token_type: 'Bearer', expires_in: 3600, refresh_token: randomBytes(24).toString('base64url') });
    }
    if (!this.#tokens.has(String(req.headers.authorization)) || req.headers['x-app-key'] !== this.appKey) return send({ message: 'Unauthorized' }, 401);

    if (path === '/tokenized/checkout/create') {
      const amount = String(body.amount ?? '');
      if (body.mode !== '0011' || body.currency !== 'BDT' || body.intent !== 'sale' || !/^\d+(\.\d{1,2})?$/.test(amount) || Number(amount) < 1 || typeof body.callbackURL !== 'string' || !body.payerReference || !body.merchantInvoiceNumber)
        return send({ statusCode: '2065', statusMessage: 'Mandatory field missing' });
      const paymentID = `TR0011${randomBytes(9).toString('hex').toUpperCase()}`;
      this.payments.set(paymentID, {
        paymentID,
        amount,
        payerReference: String(body.payerReference),
        merchantInvoiceNumber: String(body.merchantInvoiceNumber),
        callbackURL: body.callbackURL,
        state: 'Initiated',
        executions: 0,
        refunds: [],
      });
      return send({
        paymentID,
        bkashURL: `${this.baseUrl}/checkout?paymentId=${paymentID}`,
        callbackURL: body.callbackURL,
        successCallbackURL: `${body.callbackURL}?paymentID=${paymentID}&status=success`,
        failureCallbackURL: `${body.callbackURL}?paymentID=${paymentID}&status=failure`,
        cancelledCallbackURL: `${body.callbackURL}?paymentID=${paymentID}&status=cancel`,
        amount,
        intent: 'sale',
        currency: 'BDT',
        paymentCreateTime: new Date().toISOString(),
        transactionStatus: 'Initiated',
        merchantInvoiceNumber: body.merchantInvoiceNumber,
        statusCode: '0000',
        statusMessage: 'Successful',
      });
    }

    const p = this.payments.get(String(body.paymentID));
    if (!p) return send({ statusCode: '2056', statusMessage: 'Invalid Payment State' });
    const completed = () => ({
      paymentID: p.paymentID,
      customerMsisdn: '01770618575',
      payerReference: p.payerReference,
      paymentExecuteTime: new Date().toISOString(),
      trxID: p.trxID,
      transactionStatus: 'Completed',
      amount: p.amount,
      currency: 'BDT',
      intent: 'sale',
      merchantInvoiceNumber: p.merchantInvoiceNumber,
      statusCode: '0000',
      statusMessage: 'Successful',
    });

    if (path === '/tokenized/checkout/execute') {
      p.executions++;
      if (p.state === 'Completed') return send({ statusCode: '2117', statusMessage: 'Payment execution already been called before' });
      if (p.state === 'Authorized') {
        p.state = 'Completed';
        p.trxID = `B${randomBytes(5).toString('hex').toUpperCase()}`;
        return send(completed());
      }
      if (p.failure) return send(p.failure);
      return send({ statusCode: '2056', statusMessage: 'Invalid Payment State' });
    }
    if (path === '/tokenized/checkout/payment/status') {
      if (p.state === 'Completed') return send(completed());
      return send({ paymentID: p.paymentID, mode: '0011', amount: p.amount, currency: 'BDT', intent: 'sale', merchantInvoiceNumber: p.merchantInvoiceNumber, transactionStatus: p.state, statusCode: '0000', statusMessage: 'Successful' });
    }
    if (path === '/tokenized/checkout/payment/refund') {
      if (p.state !== 'Completed' || body.trxID !== p.trxID) return send({ statusCode: '2071', statusMessage: 'Original transaction not found' });
      const refundTrxID = `R${randomBytes(5).toString('hex').toUpperCase()}`;
      p.refunds.push({ refundTrxID, amount: String(body.amount) });
      return send({ completedTime: new Date().toISOString(), transactionStatus: 'Completed', originalTrxID: p.trxID, refundTrxID, amount: String(body.amount), currency: 'BDT', charge: '0.00', statusCode: '0000', statusMessage: 'Successful' });
    }
    return send({ statusCode: '9999', statusMessage: 'Not found' }, 404);
  }
}
