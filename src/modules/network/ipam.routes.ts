import type { AppContext } from '../../platform/context.ts';
import type { TypedApp } from '../../platform/http/app.ts';
import { actorOf, errors, idParams, noContent } from '../../platform/http/routes.ts';
import { assignAddress, releaseAssignment } from './ipam-assign.service.ts';
import * as service from './ipam.service.ts';
import { assignmentSchema, assignSchema, createPoolSchema, createReservationSchema, createSubnetSchema, poolDetailSchema, poolListQuery, poolPage, updatePoolSchema } from './ipam.schemas.ts';

const tags = ['IPAM'];
const params = idParams;

export function ipamRoutes(app: TypedApp, ctx: AppContext): void {
  app.get(
    '/api/ip-pools',
    { schema: { tags, summary: 'List IP pools with their utilization', querystring: poolListQuery, response: { 200: poolPage, ...errors } }, config: { permission: 'ipam.read' } },
    (req) => service.listPools(ctx, actorOf(req), req.query),
  );
  app.get(
    '/api/ip-pools/:id',
    { schema: { tags, summary: 'Get a pool: subnets, reserved ranges, utilization per subnet, assignments', params, response: { 200: poolDetailSchema, ...errors } }, config: { permission: 'ipam.read' } },
    (req) => service.getPool(ctx, actorOf(req), req.params.id),
  );
  app.post(
    '/api/ip-pools',
    { schema: { tags, summary: 'Create an IPv4 or IPv6 address pool, or an IPv6 delegated-prefix pool', body: createPoolSchema, response: { 201: poolDetailSchema, ...errors } }, config: { permission: 'ipam.create' } },
    async (req, reply) => reply.code(201).send(await service.createPool(ctx, actorOf(req), req.body)),
  );
  app.patch(
    '/api/ip-pools/:id',
    { schema: { tags, summary: 'Rename a pool, describe it, or tie it to a NAS', params, body: updatePoolSchema, response: { 200: poolDetailSchema, ...errors } }, config: { permission: 'ipam.update' } },
    (req) => service.updatePool(ctx, actorOf(req), req.params.id, req.body),
  );
  app.delete(
    '/api/ip-pools/:id',
    { schema: { tags, summary: 'Delete a pool with no address assigned, with its subnets', params, response: { 204: noContent, ...errors } }, config: { permission: 'ipam.delete' } },
    async (req, reply) => {
      await service.deletePool(ctx, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/api/ip-pools/:id/subnets',
    { schema: { tags, summary: 'Add a subnet to a pool; it may not overlap any other subnet', params, body: createSubnetSchema, response: { 201: poolDetailSchema, ...errors } }, config: { permission: 'ipam.create' } },
    async (req, reply) => reply.code(201).send(await service.createSubnet(ctx, actorOf(req), req.params.id, req.body)),
  );
  app.delete(
    '/api/ip-subnets/:id',
    { schema: { tags, summary: 'Remove a subnet with no address assigned', params, response: { 204: noContent, ...errors } }, config: { permission: 'ipam.delete' } },
    async (req, reply) => {
      await service.deleteSubnet(ctx, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/api/ip-subnets/:id/reservations',
    { schema: { tags, summary: 'Reserve an address or a range of a subnet (never handed out)', params, body: createReservationSchema, response: { 201: poolDetailSchema, ...errors } }, config: { permission: 'ipam.update' } },
    async (req, reply) => reply.code(201).send(await service.createReservation(ctx, actorOf(req), req.params.id, req.body)),
  );
  app.delete(
    '/api/ip-reservations/:id',
    { schema: { tags, summary: 'Remove a reserved range', params, response: { 204: noContent, ...errors } }, config: { permission: 'ipam.update' } },
    async (req, reply) => {
      await service.deleteReservation(ctx, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
  app.post(
    '/api/ip-pools/:id/assignments',
    {
      schema: {
        tags,
        summary: "Assign the pool's next free address (or a chosen one) to a subscription; it becomes the subscription's static IPv4 or delegated IPv6 prefix",
        params,
        body: assignSchema,
        response: { 201: assignmentSchema, ...errors },
      },
      config: { permission: 'ipam.create' },
    },
    async (req, reply) => reply.code(201).send(await assignAddress(ctx, actorOf(req), req.params.id, req.body)),
  );
  app.delete(
    '/api/ip-assignments/:id',
    { schema: { tags, summary: "Release an address (the subscription's static address or prefix is cleared)", params, response: { 204: noContent, ...errors } }, config: { permission: 'ipam.delete' } },
    async (req, reply) => {
      await releaseAssignment(ctx, actorOf(req), req.params.id);
      return reply.code(204).send(null);
    },
  );
}
