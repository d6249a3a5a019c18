import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, Observable, switchMap } from 'rxjs';
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
 * Records each call of the route in the access log before the handler runs, so the record
 * exists before any answer (an export's first line, a live tail's first event) is sent.
 */
@Injectable()
export class AccessLogInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly accessLog: AccessLogService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const logged = this.reflector.get<AccessLogged | undefined>(
      ACCESS_LOGGED,
      context.getHandler(),
    );
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const identity = request.identity;
    if (!logged || !identity) return next.handle();
    const params = request.params as Record<string, string | undefined>;
    const target = logged.targetParam === undefined ? undefined : params[logged.targetParam];
    return from(this.accessLog.record(identity, logged.action, detailsOf(request, target))).pipe(
      switchMap(() => next.handle()),
    );
  }
}

/** The route's calls are recorded in the access log as `action` (see AccessLogInterceptor). */
export const AccessLogged = (action: AccessAction, targetParam?: string): MethodDecorator =>
  applyDecorators(
    SetMetadata(ACCESS_LOGGED, { action, targetParam } satisfies AccessLogged),
    UseInterceptors(AccessLogInterceptor),
  );
