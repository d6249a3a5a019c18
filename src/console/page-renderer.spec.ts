import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIEWS_DIR } from './console-files';
import { eventRowView } from './event-row.view';
import { eventItem } from '../../test/console/event-item';
import { PageRenderer, versionedAssetUrl } from './page-renderer';

const PAYLOAD = '<img src=x onerror="alert(1)">';

describe('PageRenderer', () => {
  const renderer = new PageRenderer();

  it('escapes event data in every cell of a row', () => {
    const html = renderer.render(
      'live-row',
      eventRowView(
        eventItem({ username: PAYLOAD, name: PAYLOAD, namespace: 'x"><b>', summary: PAYLOAD }),
        {},
      ),
    );
    expect(html).not.toContain('<img');
    expect(html).not.toContain('"><b>');
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;&quot;alert(1)&quot;&gt;');
  });

  it('has no template that could print unescaped HTML (no triple-stash anywhere)', () => {
    const templates = ['pages', 'partials'].flatMap((dir) =>
      readdirSync(join(VIEWS_DIR, dir)).map((name) => join(VIEWS_DIR, dir, name)),
    );
    expect(templates.length).toBeGreaterThan(5);
    for (const file of templates) expect(readFileSync(file, 'utf8')).not.toMatch(/\{\{\{|\{\{&/);
  });

  it('says which template is missing', () => {
    expect(() => renderer.render('nope', {})).toThrow('views/pages/nope.hbs');
  });

  it('versions asset URLs by content, so an upgrade is not served stale cached scripts', () => {
    expect(versionedAssetUrl('js/console.js')).toMatch(
      /^\/assets\/js\/console\.js\?v=[0-9a-f]{12}$/,
    );
    expect(versionedAssetUrl('js/nope.js')).toBe('/assets/js/nope.js?v=missing');
  });
});
