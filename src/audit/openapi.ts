import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/**
 * The OpenAPI document of the HTTP API, generated from the controllers and their validated
 * DTOs: JSON at /api/docs-json, a browsable page at /api/docs (its assets come from the
 * swagger-ui-dist package, served by the app: nothing is fetched from elsewhere).
 */
export function setupOpenApi(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('k8s-audit-webhook')
    .setDescription(
      'Kubernetes audit events: search, object history, user activity, stats, export and live tail; what the detection rules found (detections, per-rule summary).',
    )
    .setVersion('1')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
