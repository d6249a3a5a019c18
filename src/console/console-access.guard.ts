import {
  applyDecorators,
  CanActivate,
  Controller,
  Injectable,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ConsolePageErrorFilter } from './console-page-error.filter';

/**
 * The one place that decides who may see the console. Today the console is as open as the JSON
 * API; the login issue replaces this body (session check, redirect to the login page) and every
 * console route is covered, because every console controller is declared with
 * `@ConsoleController()` below and nothing else.
 */
@Injectable()
export class ConsoleAccessGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

/**
 * Declares a console controller: its routes pass {@link ConsoleAccessGuard} and their errors
 * (bad filters, unknown ids) render as readable HTML pages instead of JSON.
 */
export function ConsoleController(prefix = ''): ClassDecorator {
  return applyDecorators(
    Controller(prefix),
    UseGuards(ConsoleAccessGuard),
    UseFilters(ConsolePageErrorFilter),
  );
}
