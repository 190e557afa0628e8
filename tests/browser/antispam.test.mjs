/*
 * The antispam plugin as people see it: the honeypot it writes into a
 * public form (the test plugin's guestbook) is out of sight and out of the
 * keyboard's way and breaks no accessibility rule; a visitor who takes the
 * time to write is judged ham; the moderators' page passes axe.
 */

/* A moderator of the test site (the test plugin plays the login). */
async function asModerator(t) {
	const url = new URL(t.base);
	await t.context.addCookies([
		{ name: 'good_user', value: '7', domain: url.hostname, path: '/' },
		{ name: 'good_role', value: 'moderator', domain: url.hostname,
		    path: '/' },
	]);
}

export default [
	{
		name: 'antispam: the honeypot of a form is hidden from everyone and passes axe',
		async run(t) {
			await t.go('/aparte/good/guestbook');
			const trap = t.page.locator('#as-trap-guestbook');
			t.equal(await trap.count(), 1, 'the honeypot is in the form');
			t.check(!(await trap.isVisible()), 'the honeypot is not shown');
			t.equal(await trap.getAttribute('tabindex'), '-1',
			    'out of the tab order');
			/* Tab through the whole form: never on the honeypot. */
			await t.page.locator('#f-author').focus();
			for (let i = 0; i < 8; i++) {
				const at = await t.tab();
				t.check(!at.includes('as-trap'),
				    `the keyboard reached the honeypot (${at})`);
			}
			await t.screenshot('antispam-guestbook');
			await t.axe();
		},
	},
	{
		name: 'antispam: a visitor who takes the time to write is judged ham',
		async run(t) {
			await t.go('/aparte/good/guestbook');
			await t.page.fill('#f-author', 'Hélène Navigatrice');
			await t.page.fill('#f-body', 'Merci pour cet article sur le ' +
			    'temps partagé, nous avons fait appel à une directrice ' +
			    'financière deux jours par mois.');
			await t.page.waitForTimeout(1100);
			await Promise.all([t.page.waitForNavigation(),
			    t.page.click('form.guestbook button[type=submit]')]);
			t.equal(await t.text('p.verdict'), 'ham', 'the verdict');
		},
	},
	{
		name: 'antispam: the moderators\' page renders, fits a phone and passes axe',
		async run(t) {
			await asModerator(t);
			await t.go('/aparte/admin/antispam');
			t.equal(await t.text('h1'), 'Filtre anti-indésirables',
			    'the title');
			t.check(await t.page.locator('form.as-rule-form').count() === 1,
			    'the form to add a rule');
			await t.screenshot('antispam-admin');
			await t.noHorizontalScroll();
			await t.axe();
		},
	},
];
