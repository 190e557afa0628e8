/*
 * judge.c: a stand-in spam filter for the integration tests of the hooks
 * that public forms run.  It judges only texts that carry a marker, so
 * that it never stands in the way of the real filter:
 *   "[judge:spam]", "[judge:unsure]", "[judge:ham]" raise the verdict to
 *   that (a filter may only raise it) and say why; "[judge:retry]" asks
 *   the visitor to send again.
 * form.fields adds a hidden field "judge" to the form; content.verdict
 * counts the moderators' decisions in ap_counters ("judge.spam.ID",
 * "judge.ham.ID"), where the tests read them.
 * session.load signs in whoever sends the cookie judge_as=ROLE (admin,
 * moderator, member): pages that need a role can be tested without the
 * login plugin.  A test plugin: never installed.
 */
#include <string.h>

#include <aparte/plugin.h>

static const struct ap_host *ap;

static int
judge_init(const struct ap_host *host, void **state)
{
	ap = host;
	*state = NULL;
	return 0;
}

static int
judge_fields(struct ap_req *r, void *state, void *data)
{
	const struct ap_form_ctx *f = data;

	(void)state;
	ap->empty(r, "input", "type", "hidden", "name", "judge", "value",
	    f->kind, NULL);
	return AP_OK;
}

static int
judge_check(struct ap_req *r, void *state, void *data)
{
	struct ap_content *c = data;
	enum ap_verdict v;
	const char *why;

	(void)state;
	if (c->text == NULL)
		return AP_DECLINED;
	if (strstr(c->text, "[judge:retry]") != NULL) {
		c->retry = 1;
		return AP_OK;
	}
	if (strstr(c->text, "[judge:spam]") != NULL) {
		v = AP_SPAM;
		why = "juge de test : indésirable";
	} else if (strstr(c->text, "[judge:unsure]") != NULL) {
		v = AP_UNSURE;
		why = "juge de test : incertain";
	} else if (strstr(c->text, "[judge:ham]") != NULL) {
		v = AP_HAM;
		why = NULL;
	} else {
		return AP_DECLINED;
	}
	c->checked = 1;
	if (v > c->verdict)
		c->verdict = v;
	if (v == AP_SPAM && c->score < 0.95)
		c->score = 0.95;
	else if (v == AP_UNSURE && c->score < 0.5)
		c->score = 0.5;
	if (why != NULL)
		c->reasons = c->reasons && *c->reasons ? ap->printf(r, "%s; %s",
		    c->reasons, why) : ap->strdup(r, why);
	return AP_OK;
}

static int
judge_verdict(struct ap_req *r, void *state, void *data)
{
	struct ap_content *c = data;

	(void)state;
	ap->counter_bump(r, ap->printf(r, "judge.%s.%lld",
	    c->verdict == AP_SPAM ? "spam" : "ham", c->id));
	return AP_OK;
}

static int
judge_session(struct ap_req *r, void *state, void *data)
{
	const char *role = ap->cookie(r, "judge_as");
	struct ap_user u = { 0 };

	(void)state;
	(void)data;
	if (role == NULL || ap->user(r) != NULL)
		return AP_DECLINED;
	if (strcmp(role, "admin") == 0)
		u.id = 9001;
	else if (strcmp(role, "moderator") == 0)
		u.id = 9002;
	else if (strcmp(role, "member") == 0)
		u.id = 9003;
	else
		return AP_DECLINED;
	u.role = role;
	u.email = ap->printf(r, "%s@judge.example", role);
	u.name = ap->printf(r, "Juge %s", role);
	ap->set_user(r, &u);
	return AP_OK;
}

static const struct ap_hook judge_hooks[] = {
	{ "session.load", 90, judge_session },
	{ "form.fields", 90, judge_fields },
	{ "content.check", 90, judge_check },
	{ "content.verdict", 90, judge_verdict },
	{ NULL, 0, NULL },
};

AP_PLUGIN(judge) = {
	AP_PLUGIN_HEAD,
	.name = "judge",
	.version = "1.0",
	.description = "A test filter",
	.init = judge_init,
	.hooks = judge_hooks,
};
