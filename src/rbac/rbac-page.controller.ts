import { Get, Header, Param, Query, Redirect } from '@nestjs/common';
import { AccessLogged } from '../access-log/access-logged.decorator';
import { CurrentIdentity } from '../auth/current-identity.decorator';
import type { Identity } from '../auth/identity';
import { ConsoleController } from '../console/console-access.guard';
import { PageRenderer } from '../console/page-renderer';
import { RbacOpenDto, RbacParamsDto, RbacQueryDto } from './rbac.dto';
import { rbacHref, rbacPageView } from './rbac-page.view';
import { rbacRange } from './rbac-range';
import { ClusterChoiceRequired, RbacService } from './rbac.service';

/** The console page of the RBAC suggestion: the YAML to copy and the evidence of each rule. */
@ConsoleController()
export class RbacPageController {
  constructor(
    private readonly rbac: RbacService,
    private readonly renderer: PageRenderer,
  ) {}

  /** From the user activity page's form: to the page's own address. */
  @Get('rbac')
  @Redirect('/', 302)
  open(@Query() dto: RbacOpenDto): { url: string } {
    return { url: rbacHref('', dto.user, dto) };
  }

  @Get('users/:username/rbac')
  @AccessLogged('rbac-suggestion')
  @Header('content-type', 'text/html; charset=utf-8')
  async page(
    @CurrentIdentity() who: Identity,
    @Param() params: RbacParamsDto,
    @Query() dto: RbacQueryDto,
  ): Promise<string> {
    const range = rbacRange(dto, Date.now());
    const query = { from: dto.from, to: dto.to };
    try {
      const answer = await this.rbac.suggest(who.visibility, params.username, range);
      return this.renderer.render('rbac', rbacPageView(answer, query));
    } catch (error) {
      if (!(error instanceof ClusterChoiceRequired)) throw error;
      const answer = {
        username: params.username,
        cluster: null,
        from: new Date(range.fromMs).toISOString(),
        to: new Date(range.toMs).toISOString(),
        requests: 0,
        objects: [],
        yaml: '',
        rules: [],
      };
      return this.renderer.render('rbac', rbacPageView(answer, query, error.clusters));
    }
  }
}
