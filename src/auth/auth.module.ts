import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessLogModule } from '../access-log/access-log.module';
import { PageRenderer } from '../console/page-renderer';
import { AuthGuard, SESSION_READER } from './auth.guard';
import { LoginController } from './login.controller';
import { OidcController } from './oidc.controller';
import { OidcLoginService } from './oidc-login.service';
import { SESSION_REPOSITORY } from './session.repository';
import { SessionService } from './sessions.service';
import { SqlSessionRepository } from './sql-session.repository';

/**
 * Login for the console and the API: the global guard, console sessions (stored through the
 * SESSION_REPOSITORY port), the login and logout pages and single sign-on (each login, failed
 * login and logout goes to the access log).
 */
@Module({
  imports: [AccessLogModule],
  controllers: [LoginController, OidcController],
  providers: [
    AuthGuard,
    { provide: APP_GUARD, useExisting: AuthGuard },
    SessionService,
    { provide: SESSION_READER, useExisting: SessionService },
    { provide: SESSION_REPOSITORY, useClass: SqlSessionRepository },
    OidcLoginService,
    PageRenderer,
  ],
})
export class AuthModule {}
