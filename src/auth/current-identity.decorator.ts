import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Identity } from './identity';

/** A request the guard has authenticated. */
export type AuthenticatedRequest = FastifyRequest & { identity?: Identity };

/** The identity {@link AuthGuard} set on the request (routes behind the guard only). */
export const CurrentIdentity = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const identity = ctx.switchToHttp().getRequest<AuthenticatedRequest>().identity;
  if (!identity) throw new Error('CurrentIdentity used on a route the AuthGuard does not cover');
  return identity;
});
