import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Inject, Injectable, Optional } from '@nestjs/common';
import Handlebars from 'handlebars';
import { currentViewer } from '../auth/viewer-context';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { PUBLIC_DIR, VIEWS_DIR } from './console-files';

type Template = Handlebars.TemplateDelegate<object>;

/**
 * Compiles the console's Handlebars templates once, in an environment of their own. Pages wrap
 * themselves in the `layout` partial (`{{#> layout}}`), so no template needs a triple-stash:
 * every value, event data above all, is HTML-escaped by `{{ }}`.
 */
@Injectable()
export class PageRenderer {
  private readonly handlebars = Handlebars.create();
  private readonly pages = new Map<string, Template>();
  private readonly assetUrls = new Map<string, string>();

  /** Development without any login: every page says so (`@openAccess` in the layout). */
  private readonly openAccess: boolean;

  constructor(@Optional() @Inject(APP_CONFIG) config?: AppConfig) {
    this.openAccess = config?.auth.mode === 'open';
    this.handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    this.handlebars.registerHelper('asset', (path: string) => this.assetUrl(path));
    this.handlebars.registerHelper('plural', (count: number, noun: string) =>
      count === 1 ? noun : `${noun}s`,
    );
    for (const file of hbsFiles(join(VIEWS_DIR, 'partials'))) {
      this.handlebars.registerPartial(basename(file, '.hbs'), readFileSync(file, 'utf8'));
    }
    for (const file of hbsFiles(join(VIEWS_DIR, 'pages'))) {
      this.pages.set(
        basename(file, '.hbs'),
        this.handlebars.compile(readFileSync(file, 'utf8'), { preventIndent: true }),
      );
    }
  }

  private assetUrl(path: string): string {
    let url = this.assetUrls.get(path);
    if (!url) {
      url = versionedAssetUrl(path);
      if (!url.endsWith('=missing')) this.assetUrls.set(path, url);
    }
    return url;
  }

  /** A full page (`views/pages/<name>.hbs`) or a fragment page used for htmx swaps. */
  render(page: string, model: object): string {
    const template = this.pages.get(page);
    if (!template) throw new Error(`no console template views/pages/${page}.hbs`);
    const viewer = currentViewer();
    // Without a login everyone is the anonymous administrator; with one, ADMIN_GROUPS decide.
    const admin = this.openAccess || viewer?.admin === true;
    return template(model, { data: { viewer, openAccess: this.openAccess, admin } });
  }
}

/**
 * `/assets/<path>?v=<content hash>`: assets are cached for an hour, so an upgrade must change
 * their URLs or browsers would mix new pages with old scripts.
 */
export function versionedAssetUrl(path: string): string {
  const file = join(PUBLIC_DIR, path);
  const version = existsSync(file)
    ? createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12)
    : 'missing';
  return `/assets/${path}?v=${version}`;
}

function hbsFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.hbs'))
    .map((name) => join(dir, name));
}
