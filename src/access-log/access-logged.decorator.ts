import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedRequest } from '../auth/current-identity.decorator';
import type { AccessAction } from './access-log.repository';
import { AccessLogService, detailsOf } from './access-log.service';

const ACCESS_LOGGED = 'access-log:action';

interface AccessLogged {
  action: AccessAction;
  /** The route parameter that names the target (an event id); otherwise the URL. */
  targetParam?: string;
}

/**
 * Records each call of an `@AccessLogged()` route, and lets it through. A guard rather than an
 * interceptor: guards run after the global AuthGuard has named the caller and before the
 * parameters are validated and the handler runs, so the record is written before any byte of
 * the answer. An interceptor's asynchronous work would come too late for streamed answers:
 * Nest commits an SSE stream's 200 headers on the next turn of the event loop, and a handler
 * with `@Res()` (export) writes its own reply.
 */
@Injectable()
export class AccessLogRecorder implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly accessLog: AccessLogService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const logged = this.reflector.get<AccessLogged | undefined>(
      ACCESS_LOGGED,
      context.getHandler(),
    );
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!logged || !request.identity) return true;
    const params = request.params as Record<string, string | undefined>;
    const target = logged.targetParam === undefined ? undefined : params[logged.targetParam];
    await this.accessLog.record(request.identity, logged.action, detailsOf(request, target));
    return true;
  }
}

/** The route's calls are recorded in the access log as `action` (see AccessLogRecorder). */
export const AccessLogged = (action: AccessAction, targetParam?: string): MethodDecorator =>
  applyDecorators(
    SetMetadata(ACCESS_LOGGED, { action, targetParam } satisfies AccessLogged),
    UseGuards(AccessLogRecorder),
  );
