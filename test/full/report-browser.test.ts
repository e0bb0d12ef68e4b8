// report.html as people open it, loaded from disk in headless Chromium (Debian's package, driven by
// playwright-core; nothing is downloaded), offline, with every request logged and every one but the
// file itself refused. Three reports: `reproduce --beyond --scale tiny`'s paper report (one panel,
// a tau sweep, positions) and its beyond report (a panel per d and iris: faceted curves, hull
// pictures), and a tiny lambda sweep over d = 1, 2 (a claims x lambda grid and sweep curves per
// panel). Checked: no console error, every figure (each `figure.figure`, whatever the report holds)
// drawn live and not blank on a screenshot, each one with a Vega spec drawn live (points with
// tooltips naming a run id and seed) and any other shown as its static image, the claims table
// with every claim (a column per panel where there are several).
// Skips with the reason when Chromium is missing, except in CI (CI=true), where it fails.

// the callbacks of page.evaluate run in the page: DOM types
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type ElementHandle, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import t, { type Test } from 'tap';
import { buildReport } from '../../src/report/build.js';
import { type ClaimStatus } from '../../src/analysis/claims.js';
import { STATUS_SHORT } from '../../src/render/claims.js';
import { reproduce } from '../../src/pipelines/reproduce.js';
import { readStudy, runStudy } from '../../src/study/index.js';

const CHROMIUM = process.env.PROTOMLP_CHROMIUM ?? '/usr/bin/chromium';
const missing = existsSync(CHROMIUM)
  ? null
  : `${CHROMIUM} not found (apt-get install chromium, or set PROTOMLP_CHROMIUM)`;
/** Flags that let Debian's Chromium run headless as root in a container and keep it off the network. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Share of pixels that are not near-white, and the number of distinct colors (quantized), of a PNG. */
function inkStats(png: Buffer): { width: number; height: number; ink: number; colors: number } {
  const image = PNG.sync.read(png);
  const colors = new Set<number>();
  let ink = 0;
  for (let i = 0; i < image.data.length; i += 4) {
    const [r, g, b] = [image.data[i], image.data[i + 1], image.data[i + 2]];
    if (r < 235 || g < 235 || b < 235) ink++;
    colors.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
  }
  return {
    width: image.width,
    height: image.height,
    ink: ink / (image.width * image.height),
    colors: colors.size,
  };
}

/**
 * Hovers the points of `figure` (those on top where they are drawn) until one's tooltip names a
 * run id and a seed; returns that tooltip, or null.
 */
async function runTooltip(page: Page, figure: ElementHandle<Element>): Promise<string | null> {
  await figure.scrollIntoViewIfNeeded();
  for (const point of (await figure.$$('.mark-symbol path')).slice(0, 400)) {
    const box = await point.boundingBox();
    if (!box) continue;
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    if (!(await point.evaluate((el, [px, py]) => document.elementFromPoint(px, py) === el, [x, y])))
      continue;
    await page.mouse.move(x, y);
    // vega's default tooltip handler sets the title of the view's element
    const title = await figure.$eval('.figure-view > div', (el) => el.getAttribute('title'));
    if (title && /run id/.test(title) && /seed/.test(title)) return title;
  }
  return null;
}

/** Opens one report.html offline and checks it; `claimsFile` is its claims.json. */
async function checkReport(
  t: Test,
  profile: string,
  file: string,
  claimsFile: string,
): Promise<void> {
  const url = pathToFileURL(file).href;
  const html = readFileSync(file, 'utf8');
  const figureCount = (html.match(/<figure class="figure"/g) ?? []).length;
  const liveCount = (html.match(/<script type="application\/json" class="figure-spec">/g) ?? [])
    .length;
  t.ok(figureCount >= 1, `the report has ${figureCount} figures`);
  t.ok(liveCount >= 1, `${liveCount} of them drawn live`);

  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1200, height: 900 },
  });
  t.teardown(() => context.close());
  await context.setOffline(true);
  const requests: string[] = [];
  const refused: string[] = [];
  await context.route('**/*', (route) => {
    const target = route.request().url();
    if (target === url) return route.continue();
    refused.push(target);
    return route.abort();
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  const drawn = await page
    .waitForFunction(
      () =>
        [...document.querySelectorAll('figure.figure')].every(
          (f) =>
            !f.querySelector('script.figure-spec') ||
            (f as HTMLElement).dataset.rendered === 'live',
        ),
      null,
      { timeout: 60_000 },
    )
    .then(
      () => true,
      () => false,
    );
  t.ok(drawn, 'every figure with a spec is drawn live by the inlined Vega runtime');

  const figures = await page.$$('figure.figure');
  t.equal(figures.length, figureCount, 'every figure of the file is in the page');
  for (const figure of figures) {
    const id = await figure.getAttribute('id');
    const live = (await figure.$('script.figure-spec')) !== null;
    if (live) {
      t.equal(
        await figure.$$eval('.figure-view img', (imgs) => imgs.length),
        0,
        `${id}: the static image is replaced`,
      );
      t.ok(await figure.$('.figure-view svg.marks'), `${id}: a live Vega view (SVG)`);
    } else {
      t.ok(
        await figure.$eval(
          '.figure-view img',
          (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0,
        ),
        `${id}: its static image loaded`,
      );
    }
    const view = await figure.$('.figure-view');
    const stats = inkStats(await view!.screenshot());
    t.comment(
      `${id}: ${stats.width}x${stats.height} px, ${(100 * stats.ink).toFixed(1)}% drawn, ${stats.colors} colors`,
    );
    t.ok(
      stats.width >= 200 && stats.height >= 100,
      `${id}: a plot-sized region (${stats.width}x${stats.height})`,
    );
    t.ok(
      stats.ink > 0.02,
      `${id}: not blank (${(100 * stats.ink).toFixed(1)}% of the pixels drawn)`,
    );
    t.ok(stats.colors >= 4, `${id}: more than text on white (${stats.colors} colors)`);
    if (live && (await figure.$('.mark-symbol path'))) {
      const tooltip = await runTooltip(page, figure);
      t.ok(tooltip, `${id}: a point's tooltip names its run id and seed`, { tooltip });
    }
  }

  // one status column, or one per panel (dataset and d) where the report has several
  const claims = JSON.parse(readFileSync(claimsFile, 'utf8')) as {
    claims: { id: string; status: string }[];
    panels: { claims: { status: string }[] }[];
  };
  const columns = claims.panels.length > 1 ? claims.panels.length : 1;
  // the columns per panel write `not testable with these runs` short, as n/t
  const expected = claims.claims.map((c, i) => [
    c.id,
    ...(columns > 1
      ? claims.panels.map((p) => STATUS_SHORT[p.claims[i].status as ClaimStatus])
      : [c.status]),
  ]);
  const rows = await page.$$eval('h2 + p + table tbody tr', (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
  );
  const heading = await page.$eval(
    'h2 + p + table',
    (table) => table.previousElementSibling?.previousElementSibling?.textContent,
  );
  t.equal(heading, 'Claims check', 'the claims table follows its heading');
  t.same(
    rows.map((r) => [r[0].split(' ')[0], ...r.slice(1, 1 + columns)]),
    expected,
    `one row per claim of claims.json, with its status${columns > 1 ? ` in each of the ${columns} panels` : ''}`,
  );

  t.same(errors, [], 'no console errors');
  t.same(refused, [], 'no request leaves the file');
  t.same([...new Set(requests)], [url], 'the only request is the file itself');
}

t.test(
  'report.html in headless Chromium: offline, no errors, every figure drawn, tooltips, claims',
  { skip: process.env.CI === 'true' ? false : (missing ?? false) },
  async (t) => {
    if (missing) return t.fail(missing);
    const dir = mkdtempSync(join(tmpdir(), 'protomlp-browser-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const { report, beyond } = await reproduce({
      out: join(dir, 'results'),
      scale: 'tiny',
      beyond: true,
    });

    await t.test('the paper report (reproduce)', async (t) => {
      await checkReport(
        t,
        join(dir, 'profile-paper'),
        join(report.out, 'report.html'),
        join(report.out, 'claims.json'),
      );
    });

    await t.test('the beyond report: a panel per d and dataset, hull pictures', async (t) => {
      t.same(
        beyond!.analysis.panels.map((p) => p.panel.label),
        ['d = 1', 'd = 2', 'd = 3', 'iris (d = 4)'],
      );
      t.ok(
        beyond!.files.some((f) => /^plots\/hull-.*\.svg$/.test(f)),
        'it has hull pictures',
      );
      await checkReport(
        t,
        join(dir, 'profile-beyond'),
        join(beyond!.out, 'report.html'),
        join(beyond!.out, 'claims.json'),
      );
    });

    await t.test(
      'a lambda sweep over d = 1, 2: sweep curves and claims grids per panel',
      async (t) => {
        const out = join(dir, 'lambda');
        await runStudy(
          {
            name: 'lambda-dims',
            dim: [1, 2],
            n: [6, 8],
            mask: ['base', 'cov', 'ovl'],
            lambda: [0.01, 0.1, 1],
            seed: [0, 1, 2],
            epochs: 40,
          },
          { out },
        );
        const { records } = await readStudy(out);
        const result = await buildReport(records, { out: join(out, 'report'), png: false });
        t.same(
          result.analysis.panels.map((p) => [p.panel.label, Object.keys(p.sweeps)]),
          [
            ['d = 1', ['lambda']],
            ['d = 2', ['lambda']],
          ],
        );
        t.ok(result.files.includes('plots/lambda-outside-d2.svg'), 'sweep curves per panel');
        await checkReport(
          t,
          join(dir, 'profile-lambda'),
          join(result.out, 'report.html'),
          join(result.out, 'claims.json'),
        );
      },
    );
  },
);
