/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A plan as text or JSON (ipto_plan_format()): the formats are described
 * in doc/planning.md.
 */
#include "pool-private.h"
#include "json-escape.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

struct sbuf {
	char *s;
	size_t n, cap;
	bool oom;
};

static void sb_reserve(struct sbuf *b, size_t extra)
{
	if (b->oom)
		return;
	if (ipto_grow((void **)&b->s, &b->cap, b->n + extra + 1, 1) < 0)
		b->oom = true;
}

static void sb_add(struct sbuf *b, const char *s, size_t len)
{
	sb_reserve(b, len);
	if (b->oom)
		return;
	memcpy(b->s + b->n, s, len);
	b->n += len;
	b->s[b->n] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	IPTO_PRINTF_ATTR(2, 3);

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(tmp)) {
		/* Only short fixed texts go through here. */
		b->oom = true;
		return;
	}
	sb_add(b, tmp, (size_t)len);
}

/* sb_str() of each argument in turn, up to a NULL. */
static void sb_strs(struct sbuf *b, const char *s, ...)
	__attribute__((sentinel));

static void sb_strs(struct sbuf *b, const char *s, ...)
{
	va_list ap;

	va_start(ap, s);
	for (; s; s = va_arg(ap, const char *))
		sb_str(b, s);
	va_end(ap);
}

static void sb_put(void *ctx, const char *p, size_t n)
{
	sb_add(ctx, p, n);
}

/* A JSON string, by the one escaper. */
static void sb_json_str(struct sbuf *b, const char *s)
{
	ipto_json_escape(s, sb_put, b);
}

/* A step with its addresses as text, for both formats. */
struct step_text {
	struct ipto_plan_step s;
	char ip[IPTO_ADDR_STRLEN], tgt[IPTO_ADDR_STRLEN];
	char mac[IPTO_MAC_STRLEN];
};

static void step_text(const struct ipto_plan *plan, size_t i,
		      struct step_text *t)
{
	plan_fill_step(plan, i, &t->s);
	ipto_addr_format(&t->s.ip, t->ip, sizeof(t->ip));
	ipto_addr_format(&t->s.announce_target, t->tgt, sizeof(t->tgt));
	ipto_mac_format(&t->s.mac, t->mac, sizeof(t->mac));
}

static void format_text(const struct ipto_plan *plan, struct sbuf *b)
{
	bool bind = plan->action == IPTO_PLAN_ACTION_BIND;
	size_t i;

	sb_printf(b, "%s plan: %zu node%s, %zu step%s\n",
		  bind ? "takeover" : "release", plan->n_nodes,
		  plan->n_nodes == 1 ? "" : "s", plan->n_steps,
		  plan->n_steps == 1 ? "" : "s");
	for (i = 0; i < plan->n_nodes; i++) {
		sb_str(b, i ? ", " : "nodes: ");
		sb_str(b, plan->pool->nodes[plan->nodes[i]].name);
	}
	if (plan->n_nodes)
		sb_str(b, "\n");
	for (i = 0; i < plan->n_steps && !b->oom; i++) {
		struct step_text t;
		const struct ipto_plan_step *s = &t.s;

		step_text(plan, i, &t);
		sb_strs(b, bind ? "bind " : "unbind ", t.ip, " of ", s->node,
			bind ? " on " : " from ", s->standby, " ", s->ifname, " ",
			t.mac, (const char *)NULL);
		if (bind)
			sb_strs(b, ", announce to ", t.tgt, (const char *)NULL);
		if (s->flags & IPTO_PLAN_STEP_MANAGEMENT)
			sb_str(b, " [management adapter]");
		if (s->flags & IPTO_PLAN_STEP_SHARED)
			sb_str(b, " [shared MAC]");
		if (s->flags & IPTO_PLAN_STEP_MACVLAN) {
			const struct pool_adapter *a =
				&plan->pool->adapters[plan->steps[i].adapter];

			sb_str(b, " [macvlan on ");
			sb_str(b, a->mv_parent);
			sb_str(b, "]");
		}
		sb_str(b, "\n");
	}
}

static void format_json(const struct ipto_plan *plan, struct sbuf *b)
{
	size_t i;

	sb_str(b, "{\"kind\":\"");
	sb_str(b, plan->action == IPTO_PLAN_ACTION_BIND ? "takeover" : "release");
	sb_str(b, "\",\"nodes\":[");
	for (i = 0; i < plan->n_nodes; i++) {
		if (i)
			sb_str(b, ",");
		sb_json_str(b, plan->pool->nodes[plan->nodes[i]].name);
	}
	sb_str(b, "],\"steps\":[");
	for (i = 0; i < plan->n_steps && !b->oom; i++) {
		struct step_text t;
		const struct ipto_plan_step *s = &t.s;

		step_text(plan, i, &t);
		sb_str(b, i ? ",{\"action\":\"" : "{\"action\":\"");
		sb_str(b, s->action == IPTO_PLAN_ACTION_BIND ? "bind" : "unbind");
		sb_str(b, "\",\"node\":");
		sb_json_str(b, s->node);
		sb_str(b, ",\"ip\":\"");
		sb_str(b, t.ip);
		sb_str(b, "\",\"standby\":");
		sb_json_str(b, s->standby);
		sb_str(b, ",\"ifname\":");
		sb_json_str(b, s->ifname);
		sb_str(b, ",\"mac\":\"");
		sb_str(b, t.mac);
		sb_str(b, "\",\"announce_target\":\"");
		sb_str(b, t.tgt);
		sb_str(b, "\",\"management\":");
		sb_str(b, s->flags & IPTO_PLAN_STEP_MANAGEMENT ? "true"
							       : "false");
		sb_str(b, ",\"shared\":");
		sb_str(b, s->flags & IPTO_PLAN_STEP_SHARED ? "true" : "false");
		/* only for virtual adapters: other steps read as before */
		if (s->flags & IPTO_PLAN_STEP_MACVLAN) {
			const struct pool_adapter *a =
				&plan->pool->adapters[plan->steps[i].adapter];

			sb_str(b, ",\"macvlan\":{\"parent\":");
			sb_json_str(b, a->mv_parent);
			sb_printf(b, ",\"index\":%u}", a->mv_index);
		}
		sb_str(b, "}");
	}
	sb_str(b, "]}\n");
}

IPTO_EXPORT int ipto_plan_format(const struct ipto_plan *plan,
				 enum ipto_format format, char **out)
{
	struct sbuf b = { 0 };

	if (!plan || !out)
		return -EINVAL;
	if (format != IPTO_FORMAT_TEXT && format != IPTO_FORMAT_JSON) {
		log_err(plan->pool->ctx,
			"cannot format plan: unknown format %d\n", (int)format);
		return -EINVAL;
	}
	/* About 160 bytes a step either way. */
	sb_reserve(&b, 64 + plan->n_steps * 160 + plan->n_nodes * 16);
	if (format == IPTO_FORMAT_TEXT)
		format_text(plan, &b);
	else
		format_json(plan, &b);
	if (b.oom) {
		free(b.s);
		log_err(plan->pool->ctx, "cannot format plan: out of memory\n");
		return -ENOMEM;
	}
	*out = b.s;
	return 0;
}
