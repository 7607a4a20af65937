import { z } from 'zod';
import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, csvResponse, errors, idParams, sendCsv } from '../../platform/http/routes.ts';
import { customerOf, customerOnly } from '../portal/portal.access.ts';
import { batchSheetPdf } from './cards.pdf.ts';
import * as cards from './cards.service.ts';
import * as redeem from './redeem.service.ts';
import {
  assignSchema,
  batchListQuery,
  batchPage,
  batchSchema,
  cardDetailSchema,
  cardListQuery,
  cardPage,
  createBatchSchema,
  distributorBalanceSchema,
  distributorListSchema,
  distributorPaymentSchema,
  rangeResultSchema,
  redeemSchema,
  redemptionSchema,
  sellSchema,
  smsRedeemSchema,
  voidSchema,
} from './cards.schemas.ts';

const tags = ['Recharge cards'];
const sheetQuery = z.object({
  from: z.coerce.number().int().min(1).optional().describe('First card to print (its place in the batch); a large batch prints faster in parts'),
  to: z.coerce.number().int().min(1).optional().describe('Last card to print, inclusive'),
});
const pdfResponse = { description: 'PDF document', content: { 'application/pdf': { schema: z.string().meta({ format: 'binary' }) } } };

export function cardRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/cards/batches',
    { schema: { tags, summary: 'Card batches you printed or hold cards of, newest first', querystring: batchListQuery, response: { 200: batchPage, ...errors } }, config: { permission: 'cards.read' } },
    (req) => cards.listBatches(ctx, actorOf(req), req.query),
  );
  app.post(
    '/api/cards/batches',
    { schema: { tags, summary: 'Print a batch of cards: serials in order, a random PIN each', body: createBatchSchema, response: { 201: batchSchema, ...errors } }, config: { permission: 'cards.create' } },
    async (req, reply) => reply.code(201).send(await cards.createBatch(ctx, actorOf(req), req.body)),
  );
  app.get(
    '/api/cards/batches/:id',
    { schema: { tags, summary: 'One batch with its cards counted per state', params: idParams, response: { 200: batchSchema, ...errors } }, config: { permission: 'cards.read' } },
    (req) => cards.getBatch(ctx, actorOf(req), req.params.id),
  );
  app.get(
    '/api/cards/batches/:id/cards',
    { schema: { tags, summary: "A batch's cards in serial order (a distributor sees its own)", params: idParams, querystring: cardListQuery, response: { 200: cardPage, ...errors } }, config: { permission: 'cards.read' } },
    (req) => cards.listCards(ctx, actorOf(req), req.params.id, req.query),
  );
  app.post(
    '/api/cards/batches/:id/assign',
    { schema: { tags, summary: 'Hand a range of cards to a card partner, with its commission', params: idParams, body: assignSchema, response: { 200: rangeResultSchema, ...errors } }, config: { permission: 'cards.update' } },
    (req) => cards.assignCards(ctx, actorOf(req), req.params.id, req.body),
  );
  app.post(
    '/api/cards/batches/:id/sell',
    { schema: { tags, summary: 'Record a range of cards sold: the distributor owes their value (or the counter took it)', params: idParams, body: sellSchema, response: { 200: rangeResultSchema, ...errors } }, config: { permission: 'cards.update' } },
    (req) => cards.sellCards(ctx, actorOf(req), req.params.id, req.body),
  );
  app.post(
    '/api/cards/batches/:id/void',
    { schema: { tags, summary: 'Void a range of cards not yet redeemed; the sale of sold ones is reversed', params: idParams, body: voidSchema, response: { 200: rangeResultSchema, ...errors } }, config: { permission: 'cards.delete' } },
    (req) => cards.voidCards(ctx, actorOf(req), req.params.id, req.body),
  );
  app.get(
    '/api/cards/batches/:id/export',
    { schema: { tags, summary: 'The batch as CSV with PINs (audited)', params: idParams, response: { 200: csvResponse, ...errors } }, config: { permission: 'cards.export' } },
    async (req, reply) => {
      const { filename, csv } = await cards.exportCsv(ctx, actorOf(req), req.params.id);
      return sendCsv(reply, filename, csv);
    },
  );
  app.get(
    '/api/cards/batches/:id/pdf',
    { schema: { tags, summary: 'Printable A4 sheets of the batch: value, PIN, serial, expiry and a QR code each (audited)', params: idParams, querystring: sheetQuery, response: { 200: pdfResponse, ...errors } }, config: { permission: 'cards.export' } },
    async (req, reply) => {
      const { batch, org, cards: printable } = await cards.printableCards(ctx, actorOf(req), req.params.id, 'pdf', req.query);
      const pdf = await batchSheetPdf({ batch, organizationName: org.name, cards: printable, redeemUrl: `${req.protocol}://${req.host}/portal/cards/redeem` });
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="cards-${batch.number}.pdf"`).send(pdf as unknown as string);
    },
  );
  app.get(
    '/api/cards/:id',
    { schema: { tags, summary: 'One card with its history', params: idParams, response: { 200: cardDetailSchema, ...errors } }, config: { permission: 'cards.read' } },
    (req) => cards.getCard(ctx, actorOf(req), req.params.id),
  );
  app.get(
    '/api/cards/distributors',
    { schema: { tags, summary: 'Card partners with what each owes, its commission and its cards', response: { 200: distributorListSchema, ...errors } }, config: { permission: 'cards.read' } },
    (req) => cards.listDistributors(ctx, actorOf(req)),
  );
  app.post(
    '/api/cards/distributors/:id/payments',
    { schema: { tags, summary: 'Record money a card partner paid for cards sold', params: idParams, body: distributorPaymentSchema, response: { 201: distributorBalanceSchema, ...errors } }, config: { permission: 'cards.update' } },
    async (req, reply) => reply.code(201).send(await cards.recordDistributorPayment(ctx, actorOf(req), req.params.id, req.body)),
  );
  app.post(
    '/api/subscribers/:id/cards/redeem',
    { schema: { tags, summary: "Redeem a card for a subscriber at the counter: its value into the wallet, its plan started", params: idParams, body: redeemSchema, response: { 200: redemptionSchema, ...errors } }, config: { permission: 'cards.update' } },
    (req) => redeem.redeemForSubscriber(ctx, actorOf(req), req.params.id, req.body.pin, req.ip),
  );
  app.post(
    '/api/cards/redeem-by-sms',
    { schema: { tags, summary: 'Redeem a card sent by SMS keyword: the sender’s phone names the subscriber', body: smsRedeemSchema, response: { 200: redemptionSchema, ...errors } }, config: { permission: 'cards.update' } },
    (req) => redeem.redeemBySms(ctx, actorOf(req), req.body),
  );
  app.post(
    '/api/portal/cards/redeem',
    { preValidation: customerOnly(ctx.db), schema: { tags: ['Customer portal'], summary: 'Redeem a recharge card: its value into your wallet, its plan started', body: redeemSchema, response: { 200: redemptionSchema, ...errors } } },
    (req) => redeem.redeemInPortal(ctx, customerOf(req), req.body.pin, req.ip),
  );
}
