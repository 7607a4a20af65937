import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams, noContent } from '../../platform/http/routes.ts';
import * as discounts from './discounts.service.ts';
import { couponCheckSchema, createDiscountSchema, discountListQuery, discountPage, discountSchema, updateDiscountSchema, validateCouponSchema } from './discounts.schemas.ts';
import { planRoutes } from './plans.routes.ts';
import * as taxClasses from './tax-classes.service.ts';
import { createTaxClassSchema, taxClassListQuery, taxClassPage, taxClassSchema, updateTaxClassSchema } from './tax-classes.schemas.ts';

/** The catalog: plans (plans.routes.ts), tax classes and discounts. */
export function catalogRoutes(app: TypedApp, ctx: AppContext): void {
  planRoutes(app, ctx);
  taxClassRoutes(app, ctx);
  discountRoutes(app, ctx);
}

function taxClassRoutes(app: TypedApp, ctx: AppContext): void {
  const tags = ['Tax classes'];
  app.get(
    '/api/tax-classes',
    {
      schema: { tags, summary: "List tax classes: your subtree's and those of the organizations above", querystring: taxClassListQuery, response: { 200: taxClassPage, ...errors } },
      config: { permission: 'plans.read' },
    },
    (req) => taxClasses.listTaxClasses(ctx, actorOf(req), req.query),
  );
  app.get(
    '/api/tax-classes/:id',
    { schema: { tags, summary: 'Get a tax class', params: idParams, response: { 200: taxClassSchema, ...errors } }, config: { permission: 'plans.read' } },
    (req) => taxClasses.getTaxClass(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/tax-classes',
    {
      schema: { tags, summary: 'Create a tax class (VAT 16% inclusive; excise then VAT compound …)', body: createTaxClassSchema, response: { 201: taxClassSchema, ...errors } },
      config: { permission: 'plans.create' },
    },
    async (req, reply) => reply.code(201).send(await taxClasses.createTaxClass(ctx, actorOf(req), req.body)),
  );
  app.patch(
    '/api/tax-classes/:id',
    {
      schema: { tags, summary: 'Change a tax class; invoices issued from now on use the new rates', params: idParams, body: updateTaxClassSchema, response: { 200: taxClassSchema, ...errors } },
      config: { permission: 'plans.update' },
    },
    (req) => taxClasses.updateTaxClass(ctx, actorOf(req), req.params.id, req.body),
  );
  app.delete(
    '/api/tax-classes/:id',
    { schema: { tags, summary: 'Delete a tax class no plan version charges', params: idParams, response: { 204: noContent, ...errors } }, config: { permission: 'plans.delete' } },
    async (req, reply) => {
      await taxClasses.deleteTaxClass(ctx, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
}

function discountRoutes(app: TypedApp, ctx: AppContext): void {
  const tags = ['Discounts'];
  app.get(
    '/api/discounts',
    { schema: { tags, summary: 'List discounts and coupons', querystring: discountListQuery, response: { 200: discountPage, ...errors } }, config: { permission: 'plans.read' } },
    (req) => discounts.listDiscounts(ctx, actorOf(req), req.query),
  );
  app.post(
    '/api/discounts/validate',
    {
      schema: {
        tags,
        summary: 'Check whether a coupon applies to a plan and currency now',
        description: "Looks the code up in the organization you work in, then in the organizations above it. Answers 200 with `valid` and, when it is false, the reason.",
        body: validateCouponSchema,
        response: { 200: couponCheckSchema, ...errors },
      },
      config: { permission: 'plans.read' },
    },
    (req) => discounts.validateCoupon(ctx, actorOf(req), req.body),
  );
  app.get(
    '/api/discounts/:id',
    { schema: { tags, summary: 'Get a discount', params: idParams, response: { 200: discountSchema, ...errors } }, config: { permission: 'plans.read' } },
    (req) => discounts.getDiscount(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/discounts',
    {
      schema: { tags, summary: 'Create a discount: a percentage or an amount, a promotion window, a coupon code, a limit of uses', body: createDiscountSchema, response: { 201: discountSchema, ...errors } },
      config: { permission: 'plans.create' },
    },
    async (req, reply) => reply.code(201).send(await discounts.createDiscount(ctx, actorOf(req), req.body)),
  );
  app.patch(
    '/api/discounts/:id',
    { schema: { tags, summary: 'Change a discount', params: idParams, body: updateDiscountSchema, response: { 200: discountSchema, ...errors } }, config: { permission: 'plans.update' } },
    (req) => discounts.updateDiscount(ctx, actorOf(req), req.params.id, req.body),
  );
  app.delete(
    '/api/discounts/:id',
    { schema: { tags, summary: 'Delete a discount that was never used', params: idParams, response: { 204: noContent, ...errors } }, config: { permission: 'plans.delete' } },
    async (req, reply) => {
      await discounts.deleteDiscount(ctx, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
}
