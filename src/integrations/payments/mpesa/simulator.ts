/**
 * A Daraja simulator: a real HTTP server on 127.0.0.1 speaking the paths, JSON shapes and auth of
 * Safaricom's API (OAuth client credentials, STK Push, STK Query, C2B URL registration), keeping
 * state, and posting callbacks as Safaricom would. The test plays the payer (pay, cancel, wrong
 * PIN, timeout, insufficient funds) and decides what happens to each callback: delivered, delivered
 * several times (at once), kept back to deliver later or out of order, or lost.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stillProcessing, stkResults, stkPassword } from './mpesa.ts';

export type StkState = 'pending' | 'paid' | 'failed';

export interface StkPush {
  readonly checkoutRequestId: string;
  readonly merchantRequestId: string;
  readonly amount: number;
  readonly phone: string;
  readonly accountReference: string;
  readonly callbackUrl: string;
  readonly transactionType: string;
  state: StkState;
  resultCode?: number;
  receipt?: string;
  paidAt?: string;
}

/** What becomes of a callback: delivered once (default), N times at once, kept back, or lost. */
export type Delivery = 'deliver' | 'lost' | 'held' | { readonly times: number };

export interface DeliveryResult {
  readonly status: number;
  readonly body: unknown;
}

const C2B_FAILED = 'C2B00016';

function timestamp(at: Date): string {
  const nairobi = new Date(at.getTime() + 3 * 3600_000).toISOString();
  return nairobi.slice(0, 19).replace(/[-T:]/g, '');
}

export class MpesaSimulator {
  readonly pushes = new Map<string, StkPush>();
  /** Requests the simulator refused, for tests that check what the adapter sent. */
  readonly refused: { path: string; reason: string }[] = [];
  tokensIssued = 0;
  c2bUrls: { validation?: string; confirmation?: string; responseType: 'Completed' | 'Cancelled' } = { responseType: 'Completed' };
  readonly #tokens = new Map<string, number>();
  readonly #receipts = new Set<string>();

  private constructor(
    readonly server: Server,
    readonly baseUrl: string,
    readonly consumerKey: string,
    readonly consumerSecret: string,
    readonly shortCode: string,
    readonly passkey: string,
    readonly tokenTtlSeconds: number,
    /** Demo mode: the payer enters the PIN this long after each push (undefined: the test plays the payer). */
    readonly autoPayAfterMs?: number,
  ) {}

  static async start(opts: { shortCode?: string; tokenTtlSeconds?: number; autoPayAfterMs?: number } = {}): Promise<MpesaSimulator> {
    let sim: MpesaSimulator | undefined;
    const server = createServer((req, res) => void sim!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    sim = new MpesaSimulator(server, `http://127.0.0.1:${port}`, randomBytes(12).toString('hex'), randomBytes(12).toString('hex'), opts.shortCode ?? '174379', randomBytes(16).toString('hex'), opts.tokenTtlSeconds ?? 3599, opts.autoPayAfterMs);
    return sim;
  }

  /** The settings an organization enters for this paybill. */
  get credentials(): Record<string, string> {
    return { baseUrl: this.baseUrl, consumerKey: this.consumerKey, consumerSecret: this.consumerSecret, shortCode: this.shortCode, passkey: this.passkey };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  lastPush(): StkPush {
    const all = [...this.pushes.values()];
    if (!all.length) throw new Error('no STK push was received');
    return all[all.length - 1]!;
  }

  // The payer.
  pay(checkoutRequestId: string, delivery: Delivery = 'deliver') {
    return this.#finish(checkoutRequestId, 0, delivery);
  }
  cancel(checkoutRequestId: string, delivery: Delivery = 'deliver') {
    return this.#finish(checkoutRequestId, 1032, delivery);
  }
  wrongPin(checkoutRequestId: string, delivery: Delivery = 'deliver') {
    return this.#finish(checkoutRequestId, 2001, delivery);
  }
  timeout(checkoutRequestId: string, delivery: Delivery = 'deliver') {
    return this.#finish(checkoutRequestId, 1037, delivery);
  }
  insufficientFunds(checkoutRequestId: string, delivery: Delivery = 'deliver') {
    return this.#finish(checkoutRequestId, 1, delivery);
  }

  /** The STK callback Safaricom posts for a finished push (its body as sent). */
  stkCallbackBody(checkoutRequestId: string, overrides: { amount?: number; resultCode?: number; checkoutRequestId?: string } = {}): unknown {
    const p = this.#push(checkoutRequestId);
    const code = overrides.resultCode ?? p.resultCode ?? 0;
    const stkCallback: Record<string, unknown> = {
      MerchantRequestID: p.merchantRequestId,
      CheckoutRequestID: overrides.checkoutRequestId ?? p.checkoutRequestId,
      ResultCode: code,
      ResultDesc: stkResults[code as keyof typeof stkResults] ?? 'Failed',
    };
    if (code === 0)
      stkCallback.CallbackMetadata = {
        Item: [
          { Name: 'Amount', Value: overrides.amount ?? p.amount },
          { Name: 'MpesaReceiptNumber', Value: p.receipt ?? 'NLJ7RT61SV' },
          { Name: 'Balance' },
          { Name: 'TransactionDate', Value: Number(p.paidAt ?? timestamp(new Date())) },
          { Name: 'PhoneNumber', Value: Number(p.phone) },
        ],
      };
    return { Body: { stkCallback } };
  }

  /** Posts a push's callback (again): for callbacks held back, duplicates and out-of-order tests. */
  deliver(checkoutRequestId: string, times = 1, body = this.stkCallbackBody(checkoutRequestId)): Promise<DeliveryResult[]> {
    const url = this.#push(checkoutRequestId).callbackUrl;
    return Promise.all(Array.from({ length: times }, () => post(url, body)));
  }

  /**
   * A payer pays the paybill from the M-PESA menu with an account number: validation first (when a
   * validation URL is registered), then confirmation unless validation refused it.
   */
  async c2bPay(input: { billRefNumber: string; amount: number; msisdn?: string; transId?: string; firstName?: string; delivery?: Delivery }): Promise<{ transId: string; validation?: DeliveryResult; confirmation?: DeliveryResult[] }> {
    const transId = input.transId ?? this.#receipt();
    const body = {
      TransactionType: 'Pay Bill',
      TransID: transId,
      TransTime: timestamp(new Date()),
      TransAmount: input.amount.toFixed(2),
      BusinessShortCode: this.shortCode,
      BillRefNumber: input.billRefNumber,
      InvoiceNumber: '',
      OrgAccountBalance: '',
      ThirdPartyTransID: '',
      MSISDN: input.msisdn ?? '254712345678',
      FirstName: input.firstName ?? 'JOHN',
      MiddleName: '',
      LastName: '',
    };
    let validation: DeliveryResult | undefined;
    if (this.c2bUrls.validation) {
      validation = await post(this.c2bUrls.validation, body);
      const code = (validation.body as { ResultCode?: unknown } | undefined)?.ResultCode;
      const accepted = validation.status === 200 ? code === 0 || code === '0' : this.c2bUrls.responseType === 'Completed';
      if (!accepted) return { transId, validation };
    }
    if (!this.c2bUrls.confirmation) throw new Error('no confirmation URL is registered');
    const delivery = input.delivery ?? 'deliver';
    if (delivery === 'lost' || delivery === 'held') return { transId, validation, confirmation: [] };
    const times = delivery === 'deliver' ? 1 : delivery.times;
    const confirmation = await Promise.all(Array.from({ length: times }, () => post(this.c2bUrls.confirmation!, body)));
    return { transId, validation, confirmation };
  }

  #push(id: string): StkPush {
    const p = this.pushes.get(id);
    if (!p) throw new Error(`no STK push ${id}`);
    return p;
  }

  #receipt(): string {
    for (;;) {
      const r = `S${randomBytes(6).toString('hex').toUpperCase().slice(0, 9)}`;
      if (!this.#receipts.has(r)) {
        this.#receipts.add(r);
        return r;
      }
    }
  }

  async #finish(id: string, code: number, delivery: Delivery): Promise<DeliveryResult[]> {
    const p = this.#push(id);
    if (p.state !== 'pending') throw new Error(`the push ${id} is already ${p.state}`);
    p.state = code === 0 ? 'paid' : 'failed';
    p.resultCode = code;
    if (code === 0) {
      p.receipt = this.#receipt();
      p.paidAt = timestamp(new Date());
    }
    if (delivery === 'lost' || delivery === 'held') return [];
    return this.deliver(id, delivery === 'deliver' ? 1 : delivery.times);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const refuse = (status: number, path: string, errorCode: string, errorMessage: string) => {
      this.refused.push({ path, reason: errorMessage });
      send(status, { requestId: randomUUID(), errorCode, errorMessage });
    };
    const url = new URL(req.url ?? '/', this.baseUrl);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');

    if (req.method === 'GET' && url.pathname === '/oauth/v1/generate') {
      const expected = `Basic ${Buffer.from(`${this.consumerKey}:${this.consumerSecret}`).toString('base64')}`;
      if (url.searchParams.get('grant_type') !== 'client_credentials') return refuse(400, url.pathname, '400.008.01', 'Invalid grant type passed');
      if (req.headers.authorization !== expected) return refuse(400, url.pathname, '400.008.02', 'Invalid Authentication passed');
      const token = randomBytes(20).toString('base64url');
      this.#tokens.set(token, Date.now() + this.tokenTtlSeconds * 1000);
      this.tokensIssued++;
      return send(200, { access_token: token, expires_in: String(this.tokenTtlSeconds) });
    }

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiry = bearer ? this.#tokens.get(bearer) : undefined;
    if (!expiry || expiry < Date.now()) return refuse(401, url.pathname, '404.001.03', 'Invalid Access Token');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return refuse(400, url.pathname, '400.002.02', 'Bad Request - Invalid JSON');
    }
    const checkPassword = () => {
      const ts = String(body.Timestamp ?? '');
      if (!/^\d{14}$/.test(ts)) return 'Bad Request - Invalid Timestamp';
      if (String(body.BusinessShortCode) !== this.shortCode) return 'Bad Request - Invalid BusinessShortCode';
      if (body.Password !== stkPassword(this.shortCode, this.passkey, ts)) return 'Bad Request - Invalid Password';
      return undefined;
    };

    if (req.method === 'POST' && url.pathname === '/mpesa/stkpush/v1/processrequest') {
      const bad =
        checkPassword() ??
        (!Number.isInteger(body.Amount) || (body.Amount as number) < 1 ? 'Bad Request - Invalid Amount' : undefined) ??
        (!/^2547\d{8}$|^2541\d{8}$/.test(String(body.PhoneNumber)) || body.PhoneNumber !== body.PartyA ? 'Bad Request - Invalid PhoneNumber' : undefined) ??
        (typeof body.AccountReference !== 'string' || body.AccountReference.length > 12 || !body.AccountReference ? 'Bad Request - Invalid AccountReference' : undefined) ??
        (typeof body.CallBackURL !== 'string' || !/^https?:\/\//.test(body.CallBackURL) ? 'Bad Request - Invalid CallBackURL' : undefined) ??
        (!['CustomerPayBillOnline', 'CustomerBuyGoodsOnline'].includes(String(body.TransactionType)) ? 'Bad Request - Invalid TransactionType' : undefined);
      if (bad) return refuse(400, url.pathname, '400.002.02', bad);
      const push: StkPush = {
        checkoutRequestId: `ws_CO_${timestamp(new Date())}${randomBytes(6).toString('hex')}`,
        merchantRequestId: `${randomBytes(3).toString('hex')}-${randomBytes(4).toString('hex')}-1`,
        amount: body.Amount as number,
        phone: String(body.PhoneNumber),
        accountReference: body.AccountReference as string,
        callbackUrl: body.CallBackURL as string,
        transactionType: String(body.TransactionType),
        state: 'pending',
      };
      this.pushes.set(push.checkoutRequestId, push);
      if (this.autoPayAfterMs !== undefined) setTimeout(() => void this.pay(push.checkoutRequestId).catch(() => undefined), this.autoPayAfterMs).unref();
      return send(200, {
        MerchantRequestID: push.merchantRequestId,
        CheckoutRequestID: push.checkoutRequestId,
        ResponseCode: '0',
        ResponseDescription: 'Success. Request accepted for processing',
        CustomerMessage: 'Success. Request accepted for processing',
      });
    }

    if (req.method === 'POST' && url.pathname === '/mpesa/stkpushquery/v1/query') {
      const bad = checkPassword();
      if (bad) return refuse(400, url.pathname, '400.002.02', bad);
      const push = this.pushes.get(String(body.CheckoutRequestID));
      if (!push) return refuse(500, url.pathname, '500.001.1001', 'The transaction is not found');
      if (push.state === 'pending') return send(500, { requestId: randomUUID(), ...stillProcessing });
      const code = push.resultCode!;
      return send(200, {
        ResponseCode: '0',
        ResponseDescription: 'The service request has been accepted successsfully',
        MerchantRequestID: push.merchantRequestId,
        CheckoutRequestID: push.checkoutRequestId,
        ResultCode: String(code),
        ResultDesc: stkResults[code as keyof typeof stkResults] ?? 'Failed',
      });
    }

    if (req.method === 'POST' && url.pathname === '/mpesa/c2b/v1/registerurl') {
      if (String(body.ShortCode) !== this.shortCode) return refuse(400, url.pathname, '400.003.02', 'Bad Request - Invalid ShortCode');
      if (!['Completed', 'Cancelled'].includes(String(body.ResponseType))) return refuse(400, url.pathname, '400.003.02', 'Bad Request - Invalid ResponseType');
      this.c2bUrls = { validation: body.ValidationURL as string | undefined, confirmation: body.ConfirmationURL as string, responseType: body.ResponseType as 'Completed' | 'Cancelled' };
      return send(200, { OriginatorCoversationID: randomUUID(), ResponseCode: '0', ResponseDescription: 'Success' });
    }
    return refuse(404, url.pathname, '404.001.01', 'Resource not found');
  }
}

async function post(url: string, body: unknown): Promise<DeliveryResult> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* kept as text */
    }
    return { status: res.status, body: parsed };
  } catch (err) {
    return { status: 0, body: { error: (err as Error).message, code: C2B_FAILED } };
  }
}
