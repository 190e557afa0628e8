/*
 * admin.c: aparte-admin, the command line of the site's admin.  The
 * core's commands (migrate, plugin, mail, privacy, cron, status, secret)
 * and each loaded plugin's, all run with the same core as the backend.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>
#include <sodium.h>

#include "core.h"

static void
admin_usage(FILE *f)
{
	fprintf(f,
	    "usage: aparte-admin [--config FILE] COMMAND [ARGS]\n"
	    "\n"
	    "  migrate [--dry-run]          apply the schema's missing migrations\n"
	    "  plugin list                  installed plugins and their state\n"
	    "  plugin enable|disable NAME   for every worker, within a second\n"
	    "  status                       database and plugins\n"
	    "  mail list|run                the mail queue; run sends what waits\n"
	    "  privacy export EMAIL [--xml] what is stored about EMAIL (JSON)\n"
	    "  privacy erase EMAIL          erase or anonymize it\n"
	    "  cron                         purge what has expired, retry mail\n"
	    "  config check                 read the config and the plugins\n"
	    "  secret                       print a new site secret\n");
	for (size_t i = 0; i < ap_core.nplugins; i++) {
		const struct ap_plugin_ent *p = &ap_core.plugins[i];

		if (!p->loaded)
			continue;
		for (const struct ap_command *c = p->d.commands; c && c->name;
		    c++)
			fprintf(f, "  %-28s %s\n", c->usage ? c->usage : c->name,
			    c->help ? c->help : "");
	}
	fprintf(f, "\nThe config file comes from --config, else $APARTE_CONF, "
	    "else %s/aparte.conf.\n", SYSCONFDIR);
}

static int
admin_db_fail(int rc)
{
	if (rc == AP_EDB)
		fprintf(stderr, "aparte-admin: the database is unreachable\n");
	return 1;
}

static int
admin_plugin(struct ap_req *r, int argc, char **argv)
{
	bool *en;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: aparte-admin plugin list|enable|disable "
		    "NAME...\n");
		return 2;
	}
	if (strcmp(argv[1], "list") == 0) {
		en = ap_arena_alloc(r->a, ap_core.nplugins + 1);
		rc = ap_plugins_read_enabled(r, en);
		if (rc != AP_OK)
			return admin_db_fail(rc);
		printf("%-12s %-9s %-8s %s\n", "NAME", "STATE", "VERSION",
		    "DESCRIPTION");
		for (size_t i = 0; i < ap_core.nplugins; i++) {
			const struct ap_plugin_ent *p = &ap_core.plugins[i];

			printf("%-12s %-9s %-8s %s\n", p->name, !p->loaded ?
			    "broken" : en[i] ? "enabled" : "disabled",
			    p->d.version ? p->d.version : "-", !p->loaded ?
			    p->error : p->d.description ? ap_i18n_tr("en",
			    p->d.description) : "");
		}
		return 0;
	}
	if (strcmp(argv[1], "enable") == 0 || strcmp(argv[1], "disable") == 0) {
		bool on = strcmp(argv[1], "enable") == 0;

		if (argc < 3) {
			fprintf(stderr, "usage: aparte-admin plugin %s NAME...\n",
			    argv[1]);
			return 2;
		}
		for (int i = 2; i < argc; i++) {
			rc = ap_plugin_set_enabled(r, argv[i], on);
			if (rc != AP_OK) {
				if (rc == AP_EDB)
					return admin_db_fail(rc);
				return 1;
			}
			ap_host_table.audit(r, on ? "plugin.enable" :
			    "plugin.disable", argv[i]);
			printf("%s %s\n", argv[i], on ? "enabled" : "disabled");
		}
		return 0;
	}
	fprintf(stderr, "aparte-admin plugin: unknown action %s\n", argv[1]);
	return 2;
}

static int
admin_status(struct ap_req *r)
{
	bool *en = ap_arena_alloc(r->a, ap_core.nplugins + 1);
	int rc = ap_plugins_read_enabled(r, en);

	printf("aparte %s\ndatabase: %s\n", PACKAGE_VERSION,
	    rc == AP_OK ? "ok" : "unreachable");
	for (size_t i = 0; i < ap_core.nplugins; i++)
		printf("plugin %s: %s\n", ap_core.plugins[i].name,
		    !ap_core.plugins[i].loaded ? ap_core.plugins[i].error :
		    rc != AP_OK ? "loaded" : en[i] ? "enabled" : "disabled");
	return rc == AP_OK ? 0 : 1;
}

static int
admin_mail(struct ap_req *r, int argc, char **argv)
{
	struct ap_res *res;

	if (argc >= 2 && strcmp(argv[1], "run") == 0) {
		int n = ap_mail_run(r, true);

		if (n < 0)
			return admin_db_fail(n);
		printf("%d message(s) sent\n", n);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		res = ap_db_query(r, "SELECT id, FROM_UNIXTIME(created), "
		    "recipient, subject, tries, sent_at IS NOT NULL, "
		    "COALESCE(last_error, '') FROM ap_mail ORDER BY id DESC "
		    "LIMIT 100", AP_NOARGS);
		if (res == NULL)
			return admin_db_fail(r->db_err);
		for (size_t i = 0; i < ap_db_rows(res); i++)
			printf("%s\t%s\t%s\t%s\t%s\t%s tries\t%s\n",
			    ap_db_cell(res, i, 0), ap_db_cell(res, i, 1),
			    ap_db_cell_int(res, i, 5) ? "sent" : "queued",
			    ap_db_cell(res, i, 2), ap_db_cell(res, i, 3),
			    ap_db_cell(res, i, 4), ap_db_cell(res, i, 6));
		return 0;
	}
	fprintf(stderr, "usage: aparte-admin mail list|run\n");
	return 2;
}

/* ---- privacy ---- */

struct admin_sink {
	struct ap_privacy_sink base;
	bool xml;
	xmlTextWriterPtr w;
	int n;
};

static void
admin_json_str(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;
	    p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\r')
			fputs("\\r", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void
admin_item(struct ap_req *r, struct ap_privacy_sink *base, const char *plugin,
    const char *kind, const char *const *kv)
{
	struct admin_sink *s = (struct admin_sink *)base;

	(void)r;
	if (s->xml) {
		xmlTextWriterStartElement(s->w, BAD_CAST "item");
		xmlTextWriterWriteAttribute(s->w, BAD_CAST "plugin",
		    BAD_CAST plugin);
		xmlTextWriterWriteAttribute(s->w, BAD_CAST "kind", BAD_CAST kind);
		for (size_t i = 0; kv && kv[i] && kv[i + 1]; i += 2) {
			xmlTextWriterStartElement(s->w, BAD_CAST "field");
			xmlTextWriterWriteAttribute(s->w, BAD_CAST "name",
			    BAD_CAST kv[i]);
			xmlTextWriterWriteString(s->w, BAD_CAST kv[i + 1]);
			xmlTextWriterEndElement(s->w);
		}
		xmlTextWriterEndElement(s->w);
		s->n++;
		return;
	}
	printf("%s\n    {\"plugin\": ", s->n ? "," : "");
	admin_json_str(plugin);
	printf(", \"kind\": ");
	admin_json_str(kind);
	printf(", \"fields\": {");
	for (size_t i = 0; kv && kv[i] && kv[i + 1]; i += 2) {
		printf("%s", i ? ", " : "");
		admin_json_str(kv[i]);
		printf(": ");
		admin_json_str(kv[i + 1]);
	}
	printf("}}");
	s->n++;
}

static int
admin_privacy(struct ap_req *r, int argc, char **argv)
{
	struct admin_sink sink = { .base.item = admin_item };
	struct ap_privacy p = { .size = sizeof(p) };
	int rc;

	if (argc < 3 || (strcmp(argv[1], "export") != 0 &&
	    strcmp(argv[1], "erase") != 0)) {
		fprintf(stderr, "usage: aparte-admin privacy export|erase EMAIL "
		    "[--xml]\n");
		return 2;
	}
	p.email = argv[2];
	if (strlen(p.email) > 254 || strchr(p.email, '@') == NULL) {
		fprintf(stderr, "aparte-admin privacy: %s is not an email\n",
		    p.email);
		return 2;
	}
	if (ap_db_ready(r) != AP_OK)
		return admin_db_fail(AP_EDB);
	if (strcmp(argv[1], "erase") == 0) {
		rc = ap_hook_run(r, "privacy.erase", &p);
		if (rc < 0) {
			fprintf(stderr, "aparte-admin privacy erase: failed; "
			    "nothing was half-erased by the plugin that "
			    "failed\n");
			return 1;
		}
		/* The trail says that an erasure was done, not of whom: the
		 * address is what was erased. */
		ap_host_table.audit(r, "privacy.erase", ap_arena_printf(r->a,
		    "%ld item(s)", p.erased));
		printf("%ld item(s) erased or anonymized for %s\n", p.erased,
		    p.email);
		return 0;
	}
	sink.xml = argc > 3 && strcmp(argv[3], "--xml") == 0;
	p.priv = &sink;
	if (sink.xml) {
		xmlOutputBufferPtr out = xmlOutputBufferCreateFile(stdout, NULL);

		sink.w = xmlNewTextWriter(out);
		xmlTextWriterSetIndent(sink.w, 1);
		xmlTextWriterStartDocument(sink.w, "1.0", "UTF-8", NULL);
		xmlTextWriterStartElement(sink.w, BAD_CAST "privacy-export");
		xmlTextWriterWriteAttribute(sink.w, BAD_CAST "email",
		    BAD_CAST p.email);
	} else {
		printf("{\n  \"email\": ");
		admin_json_str(p.email);
		printf(",\n  \"items\": [");
	}
	rc = ap_hook_run(r, "privacy.export", &p);
	if (sink.xml) {
		xmlTextWriterEndDocument(sink.w);
		xmlFreeTextWriter(sink.w);
	} else {
		printf("%s]\n}\n", sink.n ? "\n  " : "");
	}
	fflush(stdout);
	if (rc < 0) {
		fprintf(stderr, "aparte-admin privacy export: incomplete (a "
		    "plugin failed)\n");
		return 1;
	}
	ap_host_table.audit(r, "privacy.export", p.email);
	return 0;
}

static int
admin_secret(void)
{
	unsigned char k[32];
	char hex[65];

	if (sodium_init() < 0)
		return 1;
	randombytes_buf(k, sizeof(k));
	sodium_bin2hex(hex, sizeof(hex), k, sizeof(k));
	printf("%s\n", hex);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf = NULL, *cmd;
	struct ap_worker *w;
	struct ap_req r;
	char err[1024];
	int ch, rc = 2;

	while ((ch = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'V':
			printf("aparte-admin %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			admin_usage(stdout);
			return 0;
		default:
			admin_usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		admin_usage(stderr);
		return 2;
	}
	cmd = argv[0];
	if (strcmp(cmd, "secret") == 0)
		return admin_secret();
	if (conf == NULL)
		conf = getenv("APARTE_CONF");
	if (conf == NULL)
		conf = SYSCONFDIR "/aparte.conf";
	if (ap_startup(conf, true, err, sizeof(err)) != 0) {
		fprintf(stderr, "aparte-admin: %s\n", err);
		return 1;
	}
	if (strcmp(cmd, "help") == 0) {
		admin_usage(stdout);
		ap_shutdown();
		return 0;
	}
	if (strcmp(cmd, "config") == 0) {
		printf("%s: ok\n", conf);
		ap_shutdown();
		return 0;
	}
	w = ap_worker_new(0);
	for (size_t i = 0; i < ap_core.nplugins; i++)
		w->enabled[i] = ap_core.plugins[i].loaded;
	w->enabled_known = true;
	ap_req_init_cli(&r, w);
	if (strcmp(cmd, "migrate") == 0) {
		bool dry = argc > 1 && strcmp(argv[1], "--dry-run") == 0;

		rc = ap_migrate(&r, dry);
		rc = rc == AP_OK ? 0 : admin_db_fail(rc);
	} else if (strcmp(cmd, "plugin") == 0) {
		rc = admin_plugin(&r, argc, argv);
	} else if (strcmp(cmd, "status") == 0) {
		rc = admin_status(&r);
	} else if (strcmp(cmd, "mail") == 0) {
		rc = admin_mail(&r, argc, argv);
	} else if (strcmp(cmd, "privacy") == 0) {
		rc = admin_privacy(&r, argc, argv);
	} else if (strcmp(cmd, "cron") == 0) {
		int n = ap_mail_run(&r, false);

		ap_db_exec(&r, "DELETE FROM ap_spent WHERE expires < ?",
		    AP_ARGS(AP_INT(r.now)));
		ap_db_exec(&r, "DELETE FROM ap_rates WHERE expires < ?",
		    AP_ARGS(AP_INT(r.now)));
		ap_hook_run(&r, "cron", NULL);
		printf("cron: %d message(s) sent\n", n > 0 ? n : 0);
		rc = n < 0 ? admin_db_fail(n) : 0;
	} else {
		const struct ap_command *found = NULL;
		int owner = -1;

		for (size_t i = 0; i < ap_core.nplugins && !found; i++) {
			const struct ap_plugin_ent *p = &ap_core.plugins[i];

			for (const struct ap_command *c = p->d.commands;
			    p->loaded && c && c->name; c++)
				if (strcmp(c->name, cmd) == 0) {
					found = c;
					owner = (int)i;
					break;
				}
		}
		if (found == NULL) {
			fprintf(stderr, "aparte-admin: unknown command %s\n\n",
			    cmd);
			admin_usage(stderr);
			rc = 2;
		} else {
			r.plugin = owner;
			rc = found->fn(&r, ap_core.plugins[owner].state, argc,
			    argv);
		}
	}
	if (r.mail_queued)
		ap_mail_run(&r, false);
	ap_req_finish(&r);
	ap_arena_reset(&w->arena);
	ap_worker_free(w);
	ap_shutdown();
	return rc;
}
