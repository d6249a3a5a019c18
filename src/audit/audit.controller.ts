import { Controller, Get, Param, Query } from '@nestjs/common';
import { AuditService, EventPage } from './audit.service';
import { EventIdDto, EventsQueryDto } from './events-query.dto';

@Controller('api/v1/events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  list(@Query() query: EventsQueryDto): Promise<EventPage> {
    return this.audit.listEvents(query);
  }

  @Get(':id')
  get(@Param() params: EventIdDto): ReturnType<AuditService['getEvent']> {
    return this.audit.getEvent(params.id);
  }
}
