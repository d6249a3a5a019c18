import type { LoggerService } from '@nestjs/common';

export interface LogLine {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose';
  context?: string;
  message: string;
}

/** A Nest logger that keeps every line, so a test can read what the server said and why. */
export class CapturedLogger implements LoggerService {
  readonly lines: LogLine[] = [];

  log(message: unknown, context?: string): void {
    this.lines.push({ level: 'log', context, message: String(message) });
  }
  error(message: unknown, _trace?: string, context?: string): void {
    this.lines.push({ level: 'error', context, message: String(message) });
  }
  warn(message: unknown, context?: string): void {
    this.lines.push({ level: 'warn', context, message: String(message) });
  }
  debug(message: unknown, context?: string): void {
    this.lines.push({ level: 'debug', context, message: String(message) });
  }
  verbose(message: unknown, context?: string): void {
    this.lines.push({ level: 'verbose', context, message: String(message) });
  }

  errors(): string[] {
    return this.lines.filter((line) => line.level === 'error').map((line) => line.message);
  }
}
