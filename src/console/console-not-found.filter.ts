import { ArgumentsHost, Catch, Injectable, NotFoundException } from '@nestjs/common';
import { BaseExceptionFilter, HttpAdapterHost } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ConsolePageErrorFilter } from './console-page-error.filter';

/** Paths that programs call: their 404 stays the JSON their clients parse. */
const MACHINE_PATH = /^\/(api|webhook|auth|assets|healthz|readyz|metrics)(\/|\?|$)/;

/** Whether a 404 for this URL is read by a program (JSON) rather than a person (a page). */
export function isMachinePath(url: string): boolean {
  return MACHINE_PATH.test(url);
}

/**
 * A URL that matches no route (`/users/` without a name, a mistyped page) answers the
 * console's "Not found" page instead of Nest's JSON, except under the API, the webhook and the
 * operations endpoints. Registered globally (APP_FILTER); console routes keep their own filter.
 */
@Catch(NotFoundException)
@Injectable()
export class ConsoleNotFoundFilter extends BaseExceptionFilter {
  constructor(
    adapterHost: HttpAdapterHost,
    private readonly pages: ConsolePageErrorFilter,
  ) {
    super(adapterHost.httpAdapter);
  }

  override catch(error: NotFoundException, host: ArgumentsHost): void {
    const { url } = host.switchToHttp().getRequest<FastifyRequest>();
    if (isMachinePath(url)) return super.catch(error, host);
    this.pages.catch(error, host);
  }
}
