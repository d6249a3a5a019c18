import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AccessLogged } from '../access-log/access-logged.decorator';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { RbacParamsDto, RbacQueryDto } from './rbac.dto';
import { rbacRange } from './rbac-range';
import { RbacAnswer, RbacService } from './rbac.service';

@ApiTags('rbac')
@Controller('api/v1')
export class RbacController {
  constructor(private readonly rbac: RbacService) {}

  /**
   * Least-privilege Role/ClusterRole and bindings for what the identity was allowed to do
   * (docs/rbac-suggestions.md). Recorded in the access log as `rbac-suggestion` (it reads
   * what user activity reads: one identity's requests).
   */
  @Get('users/:username/rbac')
  @AccessLogged('rbac-suggestion')
  @ApiOkResponse({
    description:
      '{objects, yaml, rules}: RBAC objects (rbac.authorization.k8s.io/v1) allowing the observed, ' +
      'allowed requests and nothing more, the same as YAML for kubectl apply, and the evidence of each rule',
  })
  suggest(
    @CurrentIdentity() who: Identity,
    @Param() params: RbacParamsDto,
    @Query() dto: RbacQueryDto,
  ): Promise<RbacAnswer> {
    return this.rbac.suggest(who.visibility, params.username, rbacRange(dto, Date.now()));
  }
}
