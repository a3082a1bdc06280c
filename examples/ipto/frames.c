/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ipto announce, frames: announcement frames on their own, sent now or
 * written to a pcap file (verbs.c lists them). */
#include "cli.h"

/* ------------------------------------------------------------------ */
/* Frames                                                              */
/* ------------------------------------------------------------------ */

static uint32_t default_styles(const struct ipto_addr *a)
{
	if (a->family == AF_INET6)
		return IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_NA);
	return IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_ANNOUNCE) |
	       IPTO_FRAME_STYLE_BIT(IPTO_FRAME_STYLE_ARP_BCAST_TARGET);
}

static uint8_t frame_bufs[MAX_FRAMES][IPTO_FRAME_MAX_LEN];
static struct iovec frame_iov[MAX_FRAMES];

/* Builds the frames for every --ip in every style that applies to it. */
static size_t build_frames(const struct ipto_mac *mac)
{
	size_t i, n = 0;
	int style, len;

	for (i = 0; i < cli.ip_text.n; i++) {
		const struct ipto_addr *a = &cli.ips[i];
		uint32_t mask = cli.styles ? cli.styles : default_styles(a);
		size_t before = n;

		for (style = IPTO_FRAME_STYLE_ARP_ANNOUNCE; style <= IPTO_FRAME_STYLE_NA; style++) {
			bool v6 = a->family == AF_INET6;

			if (!(mask & IPTO_FRAME_STYLE_BIT(style)) ||
			    v6 != (style == IPTO_FRAME_STYLE_NA))
				continue;
			diag_reset();
			len = ipto_frame_build(ctx, style, mac, a, NULL, frame_bufs[n],
					       IPTO_FRAME_MAX_LEN);
			if (len < 0)
				cli_die_usage("--ip %s: %s", cli.ip_text.v[i], diag_why(len));
			frame_iov[n].iov_base = frame_bufs[n];
			frame_iov[n].iov_len = (size_t)len;
			n++;
		}
		if (n == before)
			cli_die_usage("--style: no style given applies to '%s' (%s)",
				  cli.ip_text.v[i], a->family == AF_INET6 ?
				  "IPv6 takes na" : "IPv4 takes the arp-* styles");
	}
	return n;
}

int cmd_announce(void)
{
	struct ipto_injector *injector = NULL;
	struct ipto_injector_adapter *port = NULL;
	struct ipto_mac mac = cli.mac;
	char macs[IPTO_MAC_STRLEN];
	unsigned int round;
	size_t n;
	int r;

	if (!cli.have_mac) {
		struct ipto_adapter_info info = { .sz = sizeof(info) };
		struct ipto_binder *binder = NULL;

		if (make_binder(&binder) < 0)
			return EXIT_FAILURE;
		diag_reset();
		r = ipto_binder_adapter_get(binder, cli.interface, &info);
		ipto_binder_unref(binder);
		if (r < 0)
			return cli_fail(r, "--interface %s: %s", cli.interface, diag_why(r));
		mac = info.mac;
		if (!(ipto_mac_classify(&mac) & IPTO_MAC_CLASS_UNICAST))
			return cli_fail(EADDRNOTAVAIL, "--interface %s: has no unicast MAC; give --mac",
				       cli.interface);
	}
	n = build_frames(&mac);
	if (make_injector(&injector) < 0)
		return EXIT_FAILURE;
	diag_reset();
	r = ipto_injector_open(injector, cli.interface, &port);
	if (r < 0) {
		ipto_injector_unref(injector);
		return cli_fail(r, "--interface %s: %s", cli.interface, diag_why(r));
	}
	for (round = 0; round < cli.count && r >= 0; round++) {
		if (round) {
			struct timespec ts = { .tv_sec = cli.interval_ms / 1000,
					       .tv_nsec = (long)(cli.interval_ms % 1000) * 1000000 };

			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
		}
		diag_reset();
		r = ipto_injector_send_batch(port, frame_iov, n);
		if (r >= 0 && (size_t)r < n)
			r = ipto_injector_send(port, frame_iov[r].iov_base,
					       frame_iov[r].iov_len);
	}
	ipto_injector_close(port);
	ipto_injector_unref(injector);
	if (r < 0)
		return cli_fail(r, "announce on %s: round %u: %s", cli.interface, round,
			       diag_why(r));
	ipto_mac_format(&mac, macs, sizeof(macs));
	if (cli.json) {
		fputs("{\"command\":\"announce\",\"interface\":", stdout);
		json_str(cli.interface);
		printf(",\"mac\":\"%s\",\"frames\":%zu,\"rounds\":%u,"
		       "\"dry_run\":%s,\"error\":null}\n", macs, n, cli.count,
		       dryrun_injector() ? "true" : "false");
	} else {
		printf("%s %zu frame(s) from %s (%s), %u round(s)\n",
		       dryrun_injector() ? "dry run: would have sent" : "sent", n,
		       cli.interface, macs, cli.count);
	}
	return EXIT_SUCCESS;
}

int cmd_frames(void)
{
	struct ipto_pcap_writer *w = NULL;
	size_t n, i;
	int r;

	n = build_frames(&cli.mac);
	diag_reset();
	r = ipto_pcap_writer_new(ctx, cli.output, &w);
	if (r < 0)
		return cli_fail(r, "--output %s: %s", cli.output, diag_why(r));
	for (i = 0; i < n && r >= 0; i++)
		r = ipto_pcap_writer_write(w, frame_iov[i].iov_base, frame_iov[i].iov_len);
	if (r >= 0)
		r = ipto_pcap_writer_close(w);
	else
		ipto_pcap_writer_close(w);
	if (r < 0)
		return cli_fail(r, "--output %s: %s", cli.output, diag_why(r));
	if (cli.json) {
		fputs("{\"command\":\"frames\",\"output\":", stdout);
		json_str(cli.output);
		printf(",\"frames\":%zu,\"error\":null}\n", n);
	} else {
		/* With --output -, stdout is the pcap stream. */
		fprintf(strcmp(cli.output, "-") == 0 ? stderr : stdout,
			"wrote %zu frame(s) to %s\n", n, cli.output);
	}
	return EXIT_SUCCESS;
}

