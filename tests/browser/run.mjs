#!/usr/bin/env node
/*
 * The browser tests: Debian's chromium driven by playwright-core, against a
 * running site.
 *
 *     node tests/browser/run.mjs BASE_URL OUT_DIR [FILTER...]
 *
 * Runs every tests/browser/*.test.mjs (only the tests whose name contains
 * one of the FILTERs, when given), prints "ok - NAME" or "not ok - NAME"
 * with the reason, and ends with the line "N passed, N failed".
 * Screenshots go to OUT_DIR.  tests/integration/run.py runs it while its
 * site is up.
 *
 * Writing a test.  A file NAME.test.mjs exports an array of tests:
 *
 *     export default [
 *       {
 *         name: 'the article shows its comments',
 *         async run(t) {
 *           await t.go('/blog/partager-son-temps');
 *           await t.check(await t.page.locator('h1').textContent() ===
 *               'Partager son temps ?', 'the title');
 *           await t.screenshot('article');     // desktop and phone
 *           await t.noHorizontalScroll();      // on a phone
 *           await t.axe();                     // WCAG 2.2 AA
 *         },
 *       },
 *     ];
 *
 * Each test gets a fresh browser context (no cookies, French, desktop
 * size 1280x800) and `t` with:
 *
 *   t.page, t.context   playwright's Page and BrowserContext
 *   t.base              the site's address, no trailing slash
 *   t.out               the output folder
 *   t.go(path, {status})
 *                       opens base + path; fails unless the answer has that
 *                       status (default: below 400); returns the response
 *   t.check(cond, msg)  fails the test with msg unless cond is true
 *   t.equal(a, b, msg)  fails unless a === b, showing both
 *   t.text(selector)    the trimmed text of the first match ('' if none)
 *   t.screenshot(name)  full-page NAME-desktop.png (1280x800) and
 *                       NAME-phone.png (375x740) in OUT_DIR
 *   t.axe({exclude})    runs axe-core with the tags wcag2a, wcag2aa,
 *                       wcag21a, wcag21aa, wcag22aa; fails listing every
 *                       violation (rule, impact, elements)
 *   t.noHorizontalScroll()
 *                       fails if the page is wider than a phone's screen
 *   t.phone(), t.desktop()
 *                       resizes the viewport
 *   t.tab()             presses Tab; returns a short description of the
 *                       focused element ("a.skip", "main#main" ...)
 *
 * A test also fails when the page throws an uncaught error or breaks the
 * Content-Security-Policy.  Keep tests short: the whole suite should stay
 * within a few seconds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const AXE = path.join(HERE, '..', 'node_modules', 'axe-core', 'axe.min.js');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 740 };
/* NOTES.md's flags; playwright adds --headless itself, and a fresh
 * --user-data-dir (a temporary profile it removes afterwards). */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic',
	'--no-first-run', '--disable-background-networking',
	'--disable-component-update', '--disable-sync'];

class Failure extends Error {}

function makeT(page, context, base, out) {
	let axeSource = null;
	const t = {
		page, context, base, out,
		async go(p, { status } = {}) {
			const res = await page.goto(base + p, { waitUntil: 'load' });
			const got = res ? res.status() : 0;
			if (status !== undefined ? got !== status : got >= 400)
				throw new Failure(`${p} answered ${got}` + (status !==
				    undefined ? `, expected ${status}` : ''));
			return res;
		},
		check(cond, msg) {
			if (!cond)
				throw new Failure(msg || 'check failed');
		},
		equal(a, b, msg) {
			if (a !== b)
				throw new Failure(`${msg ? msg + ': ' : ''}got ` +
				    `${JSON.stringify(a)}, expected ${JSON.stringify(b)}`);
		},
		async text(sel) {
			const l = page.locator(sel).first();
			if (await l.count() === 0)
				return '';
			return ((await l.textContent()) || '').replace(/[ \t\r\n]+/g, ' ')
			    .trim();
		},
		async phone() {
			await page.setViewportSize(PHONE);
		},
		async desktop() {
			await page.setViewportSize(DESKTOP);
		},
		async screenshot(name) {
			const vp = page.viewportSize();
			for (const [size, dim] of [['desktop', DESKTOP], ['phone', PHONE]]) {
				await page.setViewportSize(dim);
				await page.screenshot({ path: path.join(out,
				    `${name}-${size}.png`), fullPage: true });
			}
			await page.setViewportSize(vp);
		},
		async noHorizontalScroll() {
			const vp = page.viewportSize();
			await page.setViewportSize(PHONE);
			const w = await page.evaluate(() => {
				const d = document.documentElement;
				const wide = [];
				if (d.scrollWidth > d.clientWidth)
					for (const el of document.body.querySelectorAll('*')) {
						const r = el.getBoundingClientRect();
						if (r.right > d.clientWidth + 1 && wide.length < 5)
							wide.push(el.localName + (el.id ? '#' + el.id : '') +
							    (el.className && typeof el.className === 'string' ?
							    '.' + el.className.trim().split(/\s+/).join('.') : ''));
					}
				return { scroll: d.scrollWidth, client: d.clientWidth, wide };
			});
			await page.setViewportSize(vp);
			if (w.scroll > w.client)
				throw new Failure(`wider than a phone: ${w.scroll}px for ` +
				    `${w.client}px (${w.wide.join(', ')})`);
		},
		async axe({ exclude } = {}) {
			if (axeSource === null)
				axeSource = fs.readFileSync(AXE, 'utf8');
			/* evaluate, not a script tag: the backend's pages forbid
			 * inline scripts, and the test must not lift that. */
			if (!await page.evaluate(() => typeof window.axe === 'object'))
				await page.evaluate(axeSource);
			const res = await page.evaluate(async ([tags, exclude]) => {
				const ctx = exclude ? { exclude } : document;
				const r = await window.axe.run(ctx, {
					runOnly: { type: 'tag', values: tags },
					resultTypes: ['violations'],
				});
				return r.violations.map((v) => ({
					id: v.id, impact: v.impact, help: v.help,
					nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ') +
					    (n.failureSummary ? ' — ' + n.failureSummary
					    .replace(/\s+/g, ' ').slice(0, 200) : '')),
				}));
			}, [AXE_TAGS, exclude || null]);
			if (res.length)
				throw new Failure('axe: ' + res.map((v) =>
				    `\n    ${v.id} (${v.impact}): ${v.help}` +
				    v.nodes.map((n) => `\n      ${n}`).join('')).join(''));
		},
		async tab() {
			await page.keyboard.press('Tab');
			return page.evaluate(() => {
				const e = document.activeElement;
				if (!e)
					return '';
				let s = e.localName;
				if (e.id)
					s += '#' + e.id;
				if (typeof e.className === 'string' && e.className.trim())
					s += '.' + e.className.trim().split(/\s+/).join('.');
				return s;
			});
		},
	};
	return t;
}

async function loadTests(filters) {
	const files = fs.readdirSync(HERE).filter((f) => f.endsWith('.test.mjs'))
	    .sort();
	const tests = [];
	for (const f of files) {
		const mod = await import(path.join(HERE, f));
		for (const t of mod.default || mod.tests || [])
			if (!filters.length || filters.some((x) => t.name.includes(x)))
				tests.push({ ...t, file: f });
	}
	return tests;
}

async function main() {
	const [base0, out, ...filters] = process.argv.slice(2);
	if (!base0 || !out) {
		console.error('usage: run.mjs BASE_URL OUT_DIR [FILTER...]');
		process.exit(2);
	}
	const base = base0.replace(/\/+$/, '');
	fs.mkdirSync(out, { recursive: true });
	let passed = 0, failed = 0;
	let browser;
	try {
		const tests = await loadTests(filters);
		browser = await chromium.launch({
			executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
			headless: true,
			args: FLAGS,
			timeout: 60000,
		});
		for (const test of tests) {
			const t0 = Date.now();
			const context = await browser.newContext({
				viewport: DESKTOP, locale: 'fr-FR',
				extraHTTPHeaders: { 'Accept-Language': 'fr-FR,fr;q=0.9' },
			});
			context.setDefaultTimeout(10000);
			const page = await context.newPage();
			const problems = [];
			page.on('pageerror', (e) => problems.push('script error: ' +
			    e.message));
			page.on('console', (m) => {
				if (/Content.Security.Policy/i.test(m.text()))
					problems.push('CSP: ' + m.text());
			});
			const t = makeT(page, context, base, out);
			try {
				await test.run(t);
				if (problems.length)
					throw new Failure(problems.join('; '));
				passed++;
				console.log(`ok - ${test.name} (${Date.now() - t0} ms)`);
			} catch (e) {
				failed++;
				const why = e instanceof Failure ? e.message :
				    (e && e.stack ? e.stack.split('\n').slice(0, 3).join(' ') :
				    String(e));
				console.log(`not ok - ${test.name}: ${why}`);
				try {
					await page.screenshot({ path: path.join(out,
					    `FAILED-${test.name.replace(/[^\w-]+/g, '-')}.png`) });
				} catch { /* the page may be gone */ }
			} finally {
				await context.close();
			}
		}
	} catch (e) {
		failed++;
		console.log(`not ok - the browser suite: ${e && e.message ?
		    e.message.split('\n')[0] : e}`);
	} finally {
		if (browser)
			await browser.close();
	}
	console.log(`${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

main();
