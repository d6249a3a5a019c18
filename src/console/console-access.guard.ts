import { applyDecorators, Controller, UseFilters, UseInterceptors } from '@nestjs/common';
import { ViewerInterceptor } from '../auth/viewer-context';
import { ConsolePageErrorFilter } from './console-page-error.filter';

/**
 * Declares a console controller. Who may see it is decided by the global AuthGuard (a session
 * on every console page); here its routes get the logged-in viewer for the page header
 * ({@link ViewerInterceptor}) and render errors as readable HTML pages instead of JSON,
 * including "log in first", which {@link ConsolePageErrorFilter} turns into the redirect to
 * the login page.
 */
export function ConsoleController(prefix = ''): ClassDecorator {
  return applyDecorators(
    Controller(prefix),
    UseInterceptors(ViewerInterceptor),
    UseFilters(ConsolePageErrorFilter),
  );
}
