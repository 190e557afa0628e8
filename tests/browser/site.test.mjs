/*
 * The demo site and the backend's own pages, as a visitor sees them:
 * rendered (screenshots at desktop and phone sizes), no sideways scroll on
 * a phone, no WCAG 2.2 AA violation, usable with the keyboard.
 */
const NNBSP = '\u202f';
const TITLE = `Partager son temps${NNBSP}?`;

/* A static page: renders, fits a phone, passes axe. */
function staticPage(name, path, h1) {
	return {
		name: `demo: ${name} renders, fits a phone and passes axe`,
		async run(t) {
			await t.go(path);
			t.equal(await t.text('h1'), h1, 'the title');
			t.check(await t.page.locator('header.site nav a[aria-current]')
			    .count() === 1, 'the navigation marks where we are');
			await t.screenshot(`demo-${name}`);
			await t.noHorizontalScroll();
			await t.axe();
		},
	};
}

export default [
	staticPage('home', '/', 'Des experts confirmés, le temps qu’il vous faut'),
	staticPage('association', '/association', 'L’association'),
	staticPage('blog', '/blog/', 'Le blog'),

	{
		name: 'demo: the article renders with its comments part, fits a phone and passes axe',
		async run(t) {
			await t.go('/blog/partager-son-temps');
			t.equal(await t.text('article h1'), TITLE, 'the title');
			const words = (await t.text('article.post')).split(' ').length;
			t.check(words >= 1000 && words <= 1600,
			    `the article has ${words} words`);
			/* Whatever the backend answered through SSI sits in the
			 * embed, not a second page. */
			const embed = t.page.locator('#commentaires.embed');
			t.equal(await embed.count(), 1, 'the comments part');
			t.equal(await t.page.locator('html').count(), 1, 'one page');
			t.check(!(await t.page.content()).includes('#include'),
			    'the SSI include was processed');
			await t.screenshot('demo-article');
			await t.noHorizontalScroll();
			await t.axe();
		},
	},

	{
		name: 'demo: the script variant of the article embeds the same part, or keeps its link',
		async run(t) {
			await t.go('/blog/partager-son-temps-script');
			t.equal(await t.text('article h1'), TITLE, 'the title');
			const embed = t.page.locator('[data-aparte-embed]');
			await t.page.waitForFunction(() => {
				const e = document.querySelector('[data-aparte-embed]');
				return e && /loaded|failed/.test(
				    e.getAttribute('data-aparte-state') || '');
			});
			const state = await embed.getAttribute('data-aparte-state');
			const ssi = await (await t.context.request.get(t.base +
			    '/aparte/comments?page=/blog/partager-son-temps&fragment=1'))
			    .status();
			if (ssi === 200)
				t.equal(state, 'loaded', 'the fragment answered 200');
			else
				t.check(state === 'failed' && await embed.locator(
				    'a[href^="/aparte/comments"]').count() === 1,
				    `the fragment answered ${ssi}: the link stays`);
			t.equal(await embed.getAttribute('aria-busy'), null, 'not busy');
			await t.noHorizontalScroll();
			await t.axe();
		},
	},

	{
		name: 'forms: the style guide passes axe; counter and confirmation work',
		async run(t) {
			await t.go('/guide-de-style');
			await t.screenshot('demo-guide');
			await t.noHorizontalScroll();
			await t.axe();
			t.equal(await t.text('#f-body-count'), '500 caractères restants',
			    'the counter');
			t.check((await t.page.getAttribute('#f-body', 'aria-describedby'))
			    .split(' ').includes('f-body-count'), 'read with the field');
			await t.page.fill('#f-body', 'x'.repeat(499));
			t.equal(await t.text('#f-body-count'), '1 caractère restant',
			    'the counter after typing');
			t.equal(await t.text('#f-body ~ [aria-live]'),
			    '1 caractère restant', 'announced near the limit');
			let asked = null;
			t.page.once('dialog', (d) => {
				asked = d.message();
				d.dismiss();
			});
			await t.page.click('a.button.danger');
			t.check(asked && asked.startsWith('Supprimer cet exemple'),
			    `the question asked: ${asked}`);
			t.equal(new URL(t.page.url()).search, '', 'refused: nothing done');
			t.page.once('dialog', (d) => d.accept());
			await Promise.all([t.page.waitForURL(/supprime=1/),
			    t.page.click('a.button.danger')]);
		},
	},

	{
		name: 'embed script: inserts a fragment in an XHTML page, with no innerHTML',
		async run(t) {
			/* The backend's own page is XHTML: add an embed to it and let
			 * the script fill it from a route that exists everywhere. */
			const res = await t.go('/aparte/');
			t.check(res.headers()['content-type'].startsWith(
			    'application/xhtml+xml'), 'the page is XHTML');
			await t.page.evaluate(() => {
				const d = document.createElementNS(
				    'http://www.w3.org/1999/xhtml', 'div');
				d.setAttribute('data-aparte-embed', '/aparte/nowhere');
				d.setAttribute('id', 'e1');
				d.appendChild(document.createTextNode('fallback'));
				const ok = document.createElementNS(
				    'http://www.w3.org/1999/xhtml', 'div');
				ok.setAttribute('data-aparte-embed', '/aparte/');
				ok.setAttribute('id', 'e2');
				ok.appendChild(document.createTextNode('fallback'));
				document.querySelector('main').append(d, ok);
				window.aparte.enhance(document.querySelector('main'));
			});
			await t.page.waitForFunction(() => ['e1', 'e2'].every((id) =>
			    /loaded|failed/.test(document.getElementById(id)
			    .getAttribute('data-aparte-state') || '')));
			t.equal(await t.page.locator('#e1').getAttribute(
			    'data-aparte-state'), 'failed', 'a 404 is not inserted');
			t.equal(await t.text('#e1'), 'fallback', 'the fallback stays');
			t.equal(await t.page.locator('#e2').getAttribute(
			    'data-aparte-state'), 'loaded', 'a fragment is inserted');
			t.equal(await t.page.locator('#e2 > section.home > h1').count(),
			    1, 'the fragment’s elements are real XHTML elements');
			t.equal(await t.page.evaluate(() => document.querySelector(
			    '#e2 h1').namespaceURI), 'http://www.w3.org/1999/xhtml',
			    'namespace');
		},
	},

	{
		name: 'backend: the site’s space (/aparte/) passes axe and fits a phone',
		async run(t) {
			await t.go('/aparte/');
			t.check((await t.text('header.site .brand')).length > 0, 'brand');
			await t.screenshot('backend-home');
			await t.noHorizontalScroll();
			await t.axe();
		},
	},

	{
		name: 'backend: a 404 page passes axe',
		async run(t) {
			await t.go('/aparte/nowhere', { status: 404 });
			t.equal(await t.text('.error-page h1'), 'Page introuvable', 'title');
			await t.screenshot('backend-404');
			await t.noHorizontalScroll();
			await t.axe();
		},
	},

	{
		name: 'backend: the language switch goes to English and back, both axe clean',
		async run(t) {
			await t.go('/aparte/nowhere', { status: 404 });
			await t.page.click('footer.site .langs a[lang="en"]');
			await t.page.waitForLoadState('load');
			t.equal(await t.text('.error-page h1'), 'Page not found', 'English');
			t.equal(await t.page.getAttribute('html', 'lang'), 'en', 'lang');
			t.equal(new URL(t.page.url()).pathname, '/aparte/nowhere',
			    'back on the same page');
			await t.axe();
			await t.page.click('footer.site .langs a[lang="fr"]');
			await t.page.waitForLoadState('load');
			t.equal(await t.text('.error-page h1'), 'Page introuvable', 'French');
			t.equal(await t.page.getAttribute('html', 'lang'), 'fr', 'lang');
			await t.axe();
		},
	},

	{
		name: 'keyboard: the skip link comes first and moves focus to main',
		async run(t) {
			for (const path of ['/', '/blog/partager-son-temps', '/aparte/']) {
				await t.go(path);
				t.equal(await t.tab(), 'a.skip', `${path}: first Tab`);
				t.check(await t.page.locator('a.skip').isVisible() &&
				    (await t.page.locator('a.skip').boundingBox()).y >= 0,
				    `${path}: the focused skip link is on screen`);
				await t.page.keyboard.press('Enter');
				await t.page.waitForFunction(() => location.hash === '#main');
				t.equal(await t.page.evaluate(() => document.activeElement.id),
				    'main', `${path}: focus is on main`);
				await t.tab();
				t.check(await t.page.evaluate(() => {
					const m = document.querySelector('main');
					const a = document.activeElement;
					return m.contains(a) || !m.querySelector('a[href], ' +
					    'button, input, select, textarea') &&
					    !!(m.compareDocumentPosition(a) &
					    Node.DOCUMENT_POSITION_FOLLOWING);
				}), `${path}: the next Tab goes on from main`);
			}
		},
	},
];
