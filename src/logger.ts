import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import type { AppConfig } from './config/app-config';

/** JSON logs (one object a line) for Nest's own logging, read by any log shipper. */
export class PinoLogger implements LoggerService {
  readonly pino: Logger;

  constructor(level: AppConfig['logLevel']) {
    this.pino = pino({ level, base: { service: 'k8s-audit-webhook' } });
  }

  log(message: unknown, context?: string): void {
    this.pino.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.pino.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.pino.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.pino.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.pino.trace({ context }, String(message));
  }
}
