import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams } from '../../platform/http/routes.ts';
import * as wallets from './wallets.service.ts';
import { creditLimitSchema, topUpResultSchema, topUpSchema, walletQuery, walletSchema, walletStatementQuery, walletStatementSchema } from './wallets.schemas.ts';

const tags = ['Wallets'];

export function walletRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/subscribers/:id/wallet',
    { schema: { tags, summary: "A subscriber's wallet: balance, credit limit and what is owed", params: idParams, querystring: walletQuery, response: { 200: walletSchema, ...errors } }, config: { permission: 'invoices.read' } },
    (req) => wallets.getWallet(ctx, actorOf(req), req.params.id, req.query.currency),
  );
  app.get(
    '/api/subscribers/:id/wallet/statement',
    { schema: { tags, summary: "The wallet's movements, newest first, with the balance after each", params: idParams, querystring: walletStatementQuery, response: { 200: walletStatementSchema, ...errors } }, config: { permission: 'invoices.read' } },
    (req) => wallets.walletStatement(ctx, actorOf(req), req.params.id, req.query),
  );
  app.post(
    '/api/subscribers/:id/wallet/top-ups',
    { schema: { tags, summary: 'Record cash paid into the wallet; unpaid invoices are then paid from it', params: idParams, body: topUpSchema, response: { 201: topUpResultSchema, ...errors } }, config: { permission: 'invoices.update' } },
    async (req, reply) => reply.code(201).send(await wallets.topUp(ctx, actorOf(req), req.params.id, req.body)),
  );
  app.put(
    '/api/subscribers/:id/wallet/credit-limit',
    { schema: { tags, summary: 'How far below zero the wallet may go', params: idParams, body: creditLimitSchema, response: { 200: walletSchema, ...errors } }, config: { permission: 'billing.update' } },
    (req) => wallets.changeCreditLimit(ctx, actorOf(req), req.params.id, req.body),
  );
}
