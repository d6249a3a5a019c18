import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  Inject,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LoginRequiredException } from '../auth/auth.guard';
import { answerLoginRequired } from '../auth/login-required';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PageRenderer } from './page-renderer';

/** What went wrong, in the words of the exception (validation messages are one per filter). */
export function errorMessages(error: unknown): string[] {
  if (!(error instanceof HttpException)) return ['the server failed to answer this page'];
  const response = error.getResponse();
  if (typeof response === 'string') return [response];
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String);
  return [typeof message === 'string' ? message : error.message];
}

const NEXT_STEP: Record<number, string> = {
  400: 'Fix or remove the filter named above; every filter of the page is in the address bar.',
  404: 'The event or page may have been removed, or the link was mistyped. Start again from the events page.',
};

/**
 * Console errors are pages a person reads: a 400 for a bad filter says which filter and what
 * to do next, instead of the JSON the API answers with.
 */
@Catch()
export class ConsolePageErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Console');

  constructor(
    private readonly renderer: PageRenderer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (error instanceof LoginRequiredException && error.consolePage) {
      const request = host.switchToHttp().getRequest<FastifyRequest>();
      return answerLoginRequired(request, reply, this.config, this.renderer);
    }
    const status = error instanceof HttpException ? error.getStatus() : 500;
    if (status >= 500) this.logger.error(error instanceof Error ? error.stack : String(error));
    const html = this.renderer.render('error', {
      title: status === 404 ? 'Not found' : status === 400 ? 'Invalid filter' : 'Error',
      status,
      messages: errorMessages(error),
      nextStep: NEXT_STEP[status] ?? 'Try again in a moment; if it persists, check the server log.',
    });
    void reply.status(status).type('text/html; charset=utf-8').send(html);
  }
}
