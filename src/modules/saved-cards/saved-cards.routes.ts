import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams } from '../../platform/http/routes.ts';
import { customerOf, customerOnly } from '../portal/portal.access.ts';
import * as service from './saved-cards.service.ts';
import { savedCardsSchema } from './saved-cards.schemas.ts';

export function savedCardRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/subscribers/:id/saved-cards',
    { schema: { tags: ['Subscribers'], summary: "The subscriber's cards saved for automatic payments, and the latest automatic charges", params: idParams, response: { 200: savedCardsSchema, ...errors } }, config: { permission: 'subscribers.read' } },
    (req) => service.subscriberCards(ctx, actorOf(req), req.params.id),
  );

  const customer = { preValidation: customerOnly(ctx.db) };
  const portalTags = ['Customer portal'];
  app.get(
    '/api/portal/saved-cards',
    { ...customer, schema: { tags: portalTags, summary: 'Your cards saved for automatic payments, and the latest automatic charges', response: { 200: savedCardsSchema, ...errors } } },
    (req) => service.portalCards(ctx, customerOf(req)),
  );
  app.delete(
    '/api/portal/saved-cards/:id',
    { ...customer, schema: { tags: portalTags, summary: 'Remove a saved card: it is never charged again', params: idParams, response: { 200: savedCardsSchema, ...errors } } },
    (req) => service.removePortalCard(ctx, customerOf(req), req.params.id),
  );
}
