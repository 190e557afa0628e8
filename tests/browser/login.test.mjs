/*
 * The login plugin and the admin console, as an admin uses them: sign in,
 * turn a plugin off and on from the console, see its page go and come
 * back.  The admin is the demo's (demo/login.py keeps its credentials in
 * the site's run folder, beside OUT_DIR: RUN/site/demo-admin), or the one
 * named by the file $APARTE_ADMIN_FILE (two lines: email, password).
 */
import fs from 'node:fs';
import path from 'node:path';

/* The integration site has the test plugin "good" (GET /good/hello/{who}),
 * which nothing needs. */
const PLUGIN = 'good';
const PAGE = '/aparte/good/hello/claire';

function credentials(out) {
	const file = process.env.APARTE_ADMIN_FILE ||
	    path.join(out, '..', 'site', 'demo-admin');
	const [email, password] = fs.readFileSync(file, 'utf8').split('\n');
	return { email, password };
}

async function signIn(t) {
	const { email, password } = credentials(t.out);
	await t.go('/aparte/login');
	/* getByLabel does not see labels in a page served as XHTML: the
	 * role and its accessible name do. A password field has no role. */
	await t.page.getByRole('textbox', { name: /Adresse e-mail/ }).fill(email);
	await t.page.locator('input[type="password"][name="password"]')
	    .fill(password);
	await Promise.all([
		t.page.waitForURL('**/aparte/admin'),
		t.page.getByRole('button', { name: 'Se connecter' }).click(),
	]);
}

/* Status of GET path, asked by the page itself (same cookies). */
async function status(t, p) {
	return t.page.evaluate(async (u) => (await fetch(u,
	    { credentials: 'same-origin' })).status, p);
}

async function waitStatus(t, p, want, ms) {
	const end = Date.now() + ms;
	let got;
	do {
		got = await status(t, p);
		if (got === want)
			return Date.now();
		await t.page.waitForTimeout(50);
	} while (Date.now() < end);
	throw new Error(`${p} still answers ${got}, not ${want}, after ${ms} ms`);
}

/* A page of the plugin: axe-clean, fits a phone, shot. */
async function clean(t, p, name) {
	await t.go(p);
	await t.axe();
	await t.noHorizontalScroll();
	await t.screenshot(name);
}

export default [
	{
		name: 'login: the sign-in page passes axe and fits a phone',
		async run(t) {
			await t.go('/aparte/login');
			t.equal(await t.text('h1'),
			    'Vous connecter avec vos identifiants', 'the title');
			await t.screenshot('login');
			await t.noHorizontalScroll();
			await t.axe();
		},
	},

	{
		name: 'login: the forgotten password, a refused sign-in and every console page pass axe and fit a phone',
		async run(t) {
			await clean(t, '/aparte/password/forgot', 'login-forgot');
			await t.go('/aparte/login');
			await t.page.getByRole('textbox', { name: /Adresse e-mail/ })
			    .fill('personne@example.org');
			await t.page.locator('input[type="password"]')
			    .fill('ce n’est pas le bon');
			await t.page.getByRole('button', { name: 'Se connecter' })
			    .click();
			await t.page.waitForLoadState('load');
			t.check((await t.text('p.msg-error')).includes('incorrect'),
			    'the refusal is said');
			await t.axe();
			await signIn(t);
			await clean(t, '/aparte/account', 'login-account');
			await clean(t, '/aparte/admin/users', 'admin-users');
			await t.page.locator('table.users tbody a').first().click();
			await t.page.waitForLoadState('load');
			await t.axe();
			await t.noHorizontalScroll();
			await t.screenshot('admin-user');
			await clean(t, '/aparte/admin/audit', 'admin-audit');
		},
	},

	{
		name: 'login: an admin signs in, disables and enables a plugin, its page goes and comes back',
		async run(t) {
			await signIn(t);
			t.equal(await t.text('h1'), 'Administration', 'the console');
			await t.axe();
			await t.screenshot('admin-dashboard');

			await t.page.getByRole('link', { name: 'Extensions', exact: true })
			    .click();
			await t.page.waitForURL('**/aparte/admin/plugins');
			const row = t.page.locator(`#plugin-${PLUGIN}`);
			t.check(await row.count() === 1, `a row for ${PLUGIN}`);
			await t.axe();
			await t.screenshot('admin-plugins');
			await t.noHorizontalScroll();

			/* Off: one click, the page answers 404 within a second. */
			t.equal(await status(t, PAGE), 200, 'the page before');
			await Promise.all([
				t.page.waitForURL('**/admin/plugins?done=off*'),
				row.getByRole('button', { name: `Désactiver ${PLUGIN}` })
				    .click(),
			]);
			let t0 = Date.now();
			await waitStatus(t, PAGE, 404, 1500);
			t.check(Date.now() - t0 < 1500, 'gone within a second');
			t.check((await t.text('p.msg')).includes('est désactivée'),
			    'the console says so');
			t.equal(await t.text(`#plugin-${PLUGIN} .badge`), 'Désactivée',
			    'the state');

			/* On again: the page is back, and shows. */
			await Promise.all([
				t.page.waitForURL('**/admin/plugins?done=on*'),
				t.page.locator(`#plugin-${PLUGIN}`).getByRole('button',
				    { name: `Activer ${PLUGIN}` }).click(),
			]);
			t0 = Date.now();
			await waitStatus(t, PAGE, 200, 1500);
			t.check(Date.now() - t0 < 1500, 'back within a second');
			await t.go(PAGE);
			t.equal(await t.text('main p'), 'hello', 'its page');

			/* Signing out ends the console. */
			await t.go('/aparte/account');
			await Promise.all([
				t.page.waitForURL('**/aparte/login?done=logout'),
				t.page.getByRole('button', { name: 'Se déconnecter' })
				    .click(),
			]);
			await t.go('/aparte/admin/plugins');
			t.check(t.page.url().includes('/aparte/login?redirect_to='),
			    `the console sends to the sign-in page: ${t.page.url()}`);
		},
	},
];
