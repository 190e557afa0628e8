/*
 * The comments of the demo article, as new visitors and a moderator use
 * them (the "done when" of issue 3): read the article, post a comment
 * (held: a first comment), see it marked as waiting, a moderator approves
 * it, another visitor replies through the "Répondre" link (no script
 * needed), the moderator approves the reply, the first visitor gets the
 * reply mail (the site's mail capture) and edits their comment within the
 * 15 minutes.
 *
 * The moderator is the demo's admin, signed in through the login page
 * (credentials in $APARTE_ADMIN_FILE, else RUN/site/demo-admin beside
 * RUN/browser, as demo/login.py leaves them); without the login plugin,
 * the test plugin of the integration run signs one in (cookie judge_as).
 * The mail capture is $APARTE_MAIL_DIR, else RUN/site/mail.
 */
import fs from 'node:fs';
import path from 'node:path';

const ARTICLE = '/blog/partager-son-temps';

function mailDir(t) {
	return process.env.APARTE_MAIL_DIR ||
	    path.join(t.out, '..', 'site', 'mail');
}

/* The captured messages that contain every one of the strings. */
function mails(t, ...needles) {
	const dir = mailDir(t);

	if (!fs.existsSync(dir))
		return [];
	return fs.readdirSync(dir).filter((f) => f.endsWith('.eml'))
	    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
	    .filter((m) => needles.every((n) => m.includes(n)));
}

function adminFile(t) {
	return process.env.APARTE_ADMIN_FILE ||
	    path.join(t.out, '..', 'site', 'demo-admin');
}

/* A browser context signed in as a moderator. */
async function moderator(t) {
	const ctx = await t.context.browser().newContext({ locale: 'fr-FR' });

	if (!fs.existsSync(adminFile(t))) {
		await ctx.addCookies([{ name: 'judge_as', value: 'moderator',
		    url: t.base }]);
		return ctx;
	}
	const [email, password] = fs.readFileSync(adminFile(t), 'utf8')
	    .split('\n');
	const page = await ctx.newPage();
	await page.goto(t.base + '/aparte/login?redirect_to=' +
	    encodeURIComponent('/aparte/admin/comments'));
	await page.fill('input[name="email"]', email);
	await page.fill('input[type="password"][name="password"]', password);
	await Promise.all([
		page.waitForURL('**/aparte/admin/comments'),
		page.click('form button[type="submit"]'),
	]);
	await page.close();
	return ctx;
}

/* Approves comment id from the moderation queue, as a moderator does. */
async function approve(t, ctx, id) {
	const page = await ctx.newPage();

	await page.goto(t.base + '/aparte/admin/comments');
	t.check(await page.locator(`li#c-${id}`).count() === 1,
	    `comment ${id} waits in the queue`);
	await Promise.all([
		page.waitForURL(/done=approve/),
		page.click(`button[value="approve:${id}"]`),
	]);
	t.check((await page.locator('p.msg').first().textContent())
	    .includes('1 commentaire approuvé'), 'the console says it is done');
	return page;
}

/* Fills and sends the comment form that is on the page, at a person's
 * pace (a spam filter may take a form sent within a second for a robot's). */
async function comment(page, who, email, text, notify) {
	const shown = Date.now();

	await page.fill('#cf-author', who);
	await page.fill('#cf-email', email);
	await page.fill('#cf-body', text);
	if (notify)
		await page.check('#cf-notify');
	await page.waitForTimeout(Math.max(0, 2000 - (Date.now() - shown)));
	await Promise.all([
		page.waitForURL(/#comment-\d+$/),
		page.click('form.comment-form button[type="submit"]'),
	]);
	return Number(/#comment-(\d+)$/.exec(page.url())[1]);
}

export default [
	{
		name: 'comments: post, reply, held or published, approved, reply mail, edit within 15 minutes',
		async run(t) {
			const stamp = Date.now();
			const alice = `aline.${stamp}@lectrice.example`;
			const text = `Merci pour cet article. Je travaille en temps ` +
			    `partagé depuis deux ans (${stamp}).`;

			/* A reader of the article comments. */
			await t.go(ARTICLE);
			const count = await t.text('#commentaires h2#comments-title');
			t.check(/^\d+ commentaires$/.test(count), `the count: ${count}`);
			const id = await comment(t.page, 'Aline Lectrice', alice, text,
			    true);
			t.check(t.page.url().startsWith(t.base + ARTICLE + '#comment-'),
			    `back on the article: ${t.page.url()}`);
			/* Held (a first comment) or published, as the filter and
			 * the rules decide; a moderator approves what is held. */
			const mine = t.page.locator(`li#comment-${id}`);
			const held = (await mine.getAttribute('class')).includes(
			    'comment-held');
			if (held)
				t.check((await mine.textContent()).includes(
				    'en attente de modération'), 'says it waits');
			await t.axe();
			const other = await t.context.browser().newContext();
			const op = await other.newPage();
			const mod = await moderator(t);
			const pages = [];
			await op.goto(t.base + ARTICLE);
			if (held) {
				t.equal(await op.locator(`li#comment-${id}`).count(), 0,
				    'others do not see a held comment');
				pages.push(await approve(t, mod, id));
				await op.reload();
			}
			t.equal(await op.locator(`li#comment-${id}`).count(), 1,
			    'published for everyone');

			/* Someone replies, through the link that needs no script. */
			await Promise.all([
				op.waitForURL(/reply=/),
				op.click(`li#comment-${id} a.comment-reply-link`),
			]);
			t.check(await op.locator(`li#comment-${id} form.comment-form`)
			    .count() === 1, 'the form is below the comment');
			const reply = await comment(op, 'Bruno Répond',
			    `bruno.${stamp}@lecteur.example`,
			    'Deux ans aussi pour moi, et aucun regret.', false);
			t.check(op.url().startsWith(t.base + ARTICLE + '#comment-'),
			    `the reply comes back to the article: ${op.url()}`);
			if (await op.locator(`li#comment-${reply}.comment-held`)
			    .count() === 1)
				pages.push(await approve(t, mod, reply));

			/* The first reader is told, with a way to stop. */
			let got = [];
			for (let i = 0; i < 50 && got.length === 0; i++) {
				got = mails(t, `To: ${alice}`, 'a répondu à votre commentaire');
				if (got.length === 0)
					await new Promise((r) => setTimeout(r, 200));
			}
			t.equal(got.length, 1, 'one reply mail in the capture');
			t.check(got[0].includes(`${ARTICLE}#comment-${reply}`),
			    'the mail links to the reply');
			t.check(/List-Unsubscribe: <[^>]+\/aparte\/comments\/unsubscribe/
			    .test(got[0]), 'with a one-click unsubscribe');

			/* Within 15 minutes, the author edits the comment. */
			await t.page.reload();
			await Promise.all([
				t.page.waitForURL(/\/aparte\/comments\/edit/),
				t.page.click(`li#comment-${id} a.comment-edit-link`),
			]);
			t.check((await t.text('p.comment-edit-left')).includes(
			    'pendant'), 'the time left is said');
			await t.axe();
			await t.page.fill('#cf-body', text + ' Corrigé.');
			await t.page.waitForTimeout(2000);   /* a person's pace */
			await Promise.all([
				t.page.waitForURL(/#comment-\d+$/),
				t.page.click('form.comment-form button[type="submit"]'),
			]);
			t.check(t.page.url().endsWith(`${ARTICLE}#comment-${id}`),
			    `back to the comment: ${t.page.url()}`);
			const edited = await t.page.locator(`li#comment-${id}`)
			    .first().textContent();
			t.check(edited.includes('Corrigé.') && edited.includes('(modifié)'),
			    'the edit shows');
			await t.screenshot('comments-thread');
			await t.noHorizontalScroll();
			for (const p of pages)
				await p.close();
			await mod.close();
			await other.close();
		},
	},

	{
		name: 'comments: a form sent with mistakes comes back with everything typed',
		async run(t) {
			await t.go(ARTICLE);
			await t.page.fill('#cf-author', 'Camille');
			await t.page.fill('#cf-email', 'pas-une-adresse');
			await t.page.fill('#cf-url', 'javascript:alert(1)');
			await t.page.fill('#cf-body', 'x');
			/* as a browser without form checks would send it */
			await t.page.evaluate(() => document.querySelector(
			    'form.comment-form').setAttribute('novalidate', ''));
			const [res] = await Promise.all([
				t.page.waitForNavigation(),
				t.page.click('form.comment-form button[type="submit"]'),
			]);
			t.equal(res.status(), 422, 'the status');
			/* (inputValue refuses the elements of an XHTML page) */
			const value = (sel) => t.page.$eval(sel, (e) => e.value);
			t.equal(await value('#cf-email'), 'pas-une-adresse',
			    'the email typed');
			t.equal(await value('#cf-body'), 'x', 'the text');
			for (const f of ['email', 'url', 'body'])
				t.check(await t.page.locator(`#cf-${f}[aria-invalid="true"]`)
				    .count() === 1, `${f} is marked`);
			t.check((await t.text('#cf-url-err')).includes('https://'),
			    'the website error says why');
			await t.screenshot('comments-errors');
			await t.noHorizontalScroll();
			await t.axe();
		},
	},

	{
		name: 'comments: the discussion page and the moderation console pass axe and fit a phone',
		async run(t) {
			await t.go('/aparte/comments?page=' + ARTICLE);
			t.check(/^Commentaires/.test(await t.text('h1')), 'the title');
			await t.noHorizontalScroll();
			await t.axe();
			const mod = await moderator(t);
			await t.context.addCookies(await mod.cookies());
			await mod.close();
			for (const [name, p] of [['queue', ''],
			    ['spam', '?status=spam'], ['words', '/words']]) {
				await t.go('/aparte/admin/comments' + p);
				t.check(/Modération|Listes/.test(await t.text('h1')),
				    `${name}: the title`);
				await t.screenshot(`comments-console-${name}`);
				await t.noHorizontalScroll();
				await t.axe();
			}
			await t.go('/aparte/admin/comments?status=spam');
			const first = t.page.locator('li.mod-item').first();
			t.check((await first.textContent()).includes('Raisons'),
			    'spam is kept, with the filter\'s reasons');
			const href = await first.locator('a.button').getAttribute('href');
			await t.go(href);
			await t.screenshot('comments-console-one');
			await t.noHorizontalScroll();
			await t.axe();
		},
	},
];
