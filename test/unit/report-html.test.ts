/**
 * The report's HTML as text: one self-contained document, the model embedded so that no value can break out of its
 * element, nothing referenced outside the file, a CSP whose hashes are those of the inline script and style.
 * (What the page does is tested in a browser: test/report/browser.test.ts.)
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, buildReportModel, renderReportHtml } from '../../core/report';
import { PAGE_SCRIPT } from '../../core/report/html';
import { PAGE_STYLE } from '../../core/report/style';
import { runSummary, state } from '../support/builders';

const HOSTILE = '</script><script>alert(1)</script><!-- </SCRIPT \u2028';

const model = buildReportModel({
  generatedAt: '2026-11-24T15:00:00.000Z',
  window: { from: '2026-10-25T15:00:00.000Z', to: '2026-11-24T15:00:00.000Z' },
  tableName: 'my-table',
  aggregators: [
    {
      name: 'org',
      states: [
        state({ status: 'FAILED', errorCode: '<img src=x onerror=alert(1)>', errorMessage: HOSTILE }),
        state({ region: 'eu-west-1', status: 'FAILED', errorCode: 'AccessDenied' }),
      ],
      transitions: [],
      runs: [runSummary({ aggregator: 'org', runAt: '2026-11-24T14:00:00.000Z' })],
    },
    { name: 'lab', states: [], transitions: [], runs: [] },
  ],
});
const html = renderReportHtml(model);

describe('renderReportHtml', () => {
  it('embeds the model as JSON that no message can break out of', () => {
    // Two script elements only: the data and the page's own script.
    expect(html.match(/<script/gi)).toHaveLength(2);
    expect(html.match(/<\/script/gi)).toHaveLength(2);
    const data = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html)?.[1];
    expect(data).toBeDefined();
    expect(JSON.parse(data!)).toEqual(model);
    expect(data).not.toContain('\u2028');
  });

  it('escapes every value it writes into the markup', () => {
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('references nothing outside the file', () => {
    const markup = html.replace(/<script[^>]*>[^]*?<\/script>/g, '').replace(/<style>[^]*?<\/style>/g, '');
    const tags = [...markup.matchAll(/<[a-z][^\s>]*((?:\s+[a-z0-9:-]+(?:="[^"]*")?)*)\s*\/?>/gi)];
    // Every tag was understood: none hides an attribute this check cannot read.
    expect(tags).toHaveLength(markup.match(/<[a-z]/gi)?.length ?? 0);
    const attributes = tags.flatMap(([, list]) =>
      [...(list ?? '').matchAll(/([a-z0-9:-]+)(?:="([^"]*)")?/gi)].map(([, name, value]) => [name!.toLowerCase(), value ?? ''] as const),
    );
    expect(attributes.length).toBeGreaterThan(100);
    for (const [name, value] of attributes) {
      expect(['src', 'srcset', 'action', 'formaction', 'poster', 'background', 'ping', 'xlink:href']).not.toContain(name);
      if (name === 'href') expect(value).toMatch(/^#/);
    }
    expect(PAGE_STYLE).not.toMatch(/url\(|@import|@font-face/i);
    // Every http(s) string is an XML namespace, which is a name, never fetched.
    for (const [url] of html.matchAll(/https?:\/\/[^"' )]+/g)) expect(url).toBe('http://www.w3.org/2000/svg');
  });

  it('allows only its own inline script and style, by hash, and no request at all', () => {
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(html).toContain(`<script>${PAGE_SCRIPT}</script>`);
    expect(html).toContain(`<style>${PAGE_STYLE}</style>`);
    expect(CONTENT_SECURITY_POLICY).toContain(`script-src ${hash(PAGE_SCRIPT)}`);
    expect(CONTENT_SECURITY_POLICY).toContain(`style-src ${hash(PAGE_STYLE)}`);
    expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'none'; /);
    expect(html).toContain(`content="${CONTENT_SECURITY_POLICY.replace(/'/g, '&#39;')}"`);
  });

  it('inlines self-contained script parts: nothing a module system or a bundler would have to provide', () => {
    expect(PAGE_SCRIPT).not.toMatch(/\b(require|import)\s*\(|__vite_ssr|import\.meta|exports\./);
    expect(() => new Function(PAGE_SCRIPT)).not.toThrow();
  });

  it('shows the static sections of each aggregator, and a chooser when there are several', () => {
    expect(html).toContain('<h2 id="agg-0-title">Aggregator org</h2>');
    expect(html).toContain('<h2 id="agg-1-title">Aggregator lab</h2>');
    expect(html).toContain('<select id="aggregator"><option value="0">org</option><option value="1">lab</option></select>');
    expect(html).toMatch(/The source account has not authorized this aggregator/);
  });
});
