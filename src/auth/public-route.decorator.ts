import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'auth:public-route';

/**
 * A route the login guard lets through without an identity: health, readiness, metrics (which
 * checks METRICS_TOKEN itself), the login pages, and the webhook (its own token/mTLS check runs
 * in WebhookAuthMiddleware before the body is read). Everything else is closed by default.
 */
export const PublicRoute = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);
