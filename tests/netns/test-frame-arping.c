/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libipto's frames against the frames other producers put on a real link.
 *
 * Two namespaces joined by a veth pair: "a" (va, 192.0.2.10/24, MAC
 * 00:00:5e:00:53:01) sends, "b" (vb, 192.0.2.20/24) captures with an
 * AF_PACKET socket. The producers:
 *   - iputils "arping -U" and "arping -A";
 *   - the kernel's own gratuitous ARP (arp_notify, on a MAC change);
 *   - the kernel's own unsolicited neighbour advertisement (ndisc_notify,
 *     after DAD of a new address).
 * Each captured frame must equal ipto_frame_build()'s byte for byte, except
 * for the differences listed (and explained) in doc/frames.md:
 *   - padding: Linux sends ARP frames as 42 bytes and leaves padding to the
 *     NIC (a veth never pads); libipto pads to 60 with zeros itself;
 *   - "arping -U" puts ff:ff:ff:ff:ff:ff in the target MAC, libipto's
 *     default is zero (like the kernel); IPTO_FRAME_THA_BROADCAST matches.
 *
 * Then the rule for the broadcast-target style without a subnet broadcast
 * (prefix 31, 32, unknown: target 255.255.255.255) is checked against the
 * kernel's ARP code: such a frame must act on a Linux receiver exactly as
 * the subnet-broadcast frame does (update an entry once locktime passed,
 * pass drop_gratuitous_arp, never be answered).
 *
 * usage: test-frame-arping ARPING IP   (root; exits 77 when it cannot run)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../link-wait.h"
#include "../test-common.h"

static const char *arping, *ipcmd;
static char ns_a[32], ns_b[32];
static int home_ns = -1;
static bool lan_up;

static const char MAC_A[] = "00:00:5e:00:53:01";
static const char MAC_B[] = "00:00:5e:00:53:02";
static const char IP_A[] = "192.0.2.10/24";
static const char IP_B[] = "192.0.2.20/24";

/* ------------------------------------------------------------------ */
/* The LAN                                                             */
/* ------------------------------------------------------------------ */

static int run(const char *fmt, ...) IPTO_PRINTF_ATTR(1, 2);

static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = system(cmd);
	if (r != 0)
		fprintf(stderr, "command failed (%d): %s\n", r, cmd);
	return r;
}

static void lan_down(void)
{
	if (!lan_up)
		return;
	lan_up = false;
	run("'%s' netns del %s 2>/dev/null", ipcmd, ns_a);
	run("'%s' netns del %s 2>/dev/null", ipcmd, ns_b);
}

static void on_signal(int sig)
{
	lan_down();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* @ifname in @ns can carry frames (tests/link-wait.h); back home after. */
static bool link_running(const char *ns, const char *ifname)
{
	char path[128];
	int fd, r;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "enter %s: %s\n", ns, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	r = test_link_wait_running(ifname, 10);
	if (setns(home_ns, CLONE_NEWNET) < 0)
		r = -errno;
	if (r < 0)
		fprintf(stderr, "%s in %s not running after 10 s: %s\n", ifname,
			ns, strerror(-r));
	return r == 0;
}

static bool lan_build(void)
{
	struct timespec ts;

	/* unique per run: two runs at once, or a namespace left by a killed
	 * run with a recycled PID, never share a name */
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(ns_a, sizeof(ns_a), "iptofr-a-%d-%ld", (int)getpid(), ts.tv_nsec);
	snprintf(ns_b, sizeof(ns_b), "iptofr-b-%d-%ld", (int)getpid(), ts.tv_nsec);
	if (run("'%s' netns add %s", ipcmd, ns_a) != 0)
		return false;
	lan_up = true;
	atexit(lan_down);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGABRT, on_signal);
	return run("'%s' netns add %s", ipcmd, ns_b) == 0 &&
	       run("'%s' link add va netns %s type veth peer name vb netns %s",
		   ipcmd, ns_a, ns_b) == 0 &&
	       run("'%s' -n %s link set va address %s", ipcmd, ns_a, MAC_A) == 0 &&
	       run("'%s' -n %s link set vb address %s", ipcmd, ns_b, MAC_B) == 0 &&
	       run("'%s' -n %s addr add %s dev va", ipcmd, ns_a, IP_A) == 0 &&
	       run("'%s' -n %s addr add %s dev vb", ipcmd, ns_b, IP_B) == 0 &&
	       run("'%s' -n %s link set vb up", ipcmd, ns_b) == 0 &&
	       run("'%s' -n %s link set va up", ipcmd, ns_a) == 0 &&
	       link_running(ns_a, "va") && link_running(ns_b, "vb");
}

static void enter_ns(const char *ns)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd >= 0, "open %s: %s", path, strerror(errno));
	ck_assert_int_eq(setns(fd, CLONE_NEWNET), 0);
	close(fd);
}

/* A packet socket on @ifname in namespace @ns, seeing every frame. The
 * process is back in its own namespace before any assertion. */
static int ns_socket(const char *ns, const char *ifname)
{
	struct sockaddr_ll sll;
	int fd, err = 0;

	enter_ns(ns);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0 || sll.sll_ifindex <= 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0)
		err = errno ? errno : ENODEV;
	ck_assert_int_eq(setns(home_ns, CLONE_NEWNET), 0);
	ck_assert_msg(err == 0, "packet socket on %s in %s: %s", ifname, ns,
		      strerror(err));
	return fd;
}

static void drain(int fd)
{
	uint8_t buf[2048];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

typedef bool (*frame_pred)(const uint8_t *f, size_t len, const void *arg);

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The next frame on @fd that @pred accepts, skipping others. Waits until
 * 30 s have passed on CLOCK_MONOTONIC (a bound for a hung test, not a
 * timing assertion; frames arrive in milliseconds, the kernel's NA after
 * its ~1 s DAD).
 */
static size_t wait_frame(int fd, frame_pred pred, const void *arg,
			 uint8_t *out, size_t size, const char *what)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int64_t deadline = mono_ms() + 30000;

	for (;;) {
		ssize_t n = recv(fd, out, size, MSG_DONTWAIT);
		int64_t left;

		if (n > 0 && pred(out, (size_t)n, arg))
			return (size_t)n;
		if (n > 0)
			continue;
		left = deadline - mono_ms();
		ck_assert_msg(left > 0, "no %s frame within 30 s", what);
		poll(&p, 1, (int)left);
	}
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

struct arp_match {
	uint16_t op;
	struct ipto_mac sha;
};

static bool is_arp_from(const uint8_t *f, size_t len, const void *arg)
{
	const struct arp_match *m = arg;

	return len >= 42 && rd16(f + 12) == 0x0806 && rd16(f + 20) == m->op &&
	       memcmp(f + 22, m->sha.bytes, 6) == 0;
}

static bool is_na_for(const uint8_t *f, size_t len, const void *arg)
{
	const struct ipto_addr *target = arg;

	return len >= 78 && rd16(f + 12) == 0x86dd && f[20] == 58 &&
	       f[54] == 136 && memcmp(f + 62, target->bytes, 16) == 0;
}

static struct ipto_mac M(const char *s)
{
	struct ipto_mac m;

	ck_assert_int_eq(ipto_mac_parse(s, &m), 0);
	return m;
}

static struct ipto_addr A(const char *s)
{
	struct ipto_addr a;

	ck_assert_int_eq(ipto_addr_parse(s, &a), 0);
	return a;
}

static void hexdump(const char *title, const uint8_t *f, size_t len)
{
	size_t i;

	fprintf(stderr, "%s (%zu bytes):", title, len);
	for (i = 0; i < len; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n  ", f[i]);
	fputc('\n', stderr);
}

/*
 * Compare a captured frame with libipto's. Equal byte for byte where both
 * have bytes; past the captured frame's end libipto's bytes are its zero
 * padding, which the captured frame may lack (the kernel leaves padding to
 * the NIC); bytes in [skip_from, skip_to) are an intended difference the
 * caller checks itself.
 */
static void compare(const char *what, const uint8_t *theirs, size_t tlen,
		    const uint8_t *ours, size_t olen, size_t skip_from,
		    size_t skip_to)
{
	size_t i;
	bool same = tlen <= olen;

	for (i = 0; same && i < olen; i++) {
		if (i >= skip_from && i < skip_to)
			continue;
		if (i < tlen ? theirs[i] != ours[i] : ours[i] != 0)
			same = false;
	}
	if (!same) {
		hexdump(what, theirs, tlen);
		hexdump("libipto", ours, olen);
	}
	ck_assert_msg(same, "%s: frames differ (see the dumps on stderr)", what);
	printf("%s: %zu captured bytes equal libipto's %zu", what, tlen, olen);
	if (tlen < olen)
		printf(" (libipto adds %zu bytes of zero padding)", olen - tlen);
	if (skip_to > skip_from)
		printf(" except bytes %zu..%zu", skip_from, skip_to - 1);
	printf("\n");
}

static int build(enum ipto_frame_style style, const char *mac, const char *ip,
		 enum ipto_frame_tha tha, uint8_t *buf)
{
	struct ipto_mac m = M(mac);
	struct ipto_addr a = A(ip);
	IPTO_OPTS(ipto_frame_opts, o, .tha = tha);
	int r = ipto_frame_build(NULL, style, &m, &a, &o, buf, IPTO_FRAME_MAX_LEN);

	ck_assert_int_gt(r, 0);
	return r;
}

/* The parser takes the real frame too, and sees the expected style. */
static void parses_as(const uint8_t *f, size_t len, enum ipto_frame_style s)
{
	struct ipto_frame_info fi;

	memset(&fi, 0, sizeof(fi));
	fi.sz = sizeof(fi);
	ck_assert_int_eq(ipto_frame_parse(f, len, &fi), 0);
	ck_assert_int_eq(fi.style, s);
}

/* Runs `arping FLAG` once in ns_a (from va, for 192.0.2.10) and captures
 * on vb the ARP frame of opcode @op from MAC_A into @got, which must
 * parse as @style; its length. */
static size_t capture_arping(const char *flag, uint16_t op,
			     enum ipto_frame_style style, uint8_t *got,
			     size_t size)
{
	int cap = ns_socket(ns_b, "vb");
	struct arp_match m = { op, M(MAC_A) };
	char what[32];
	size_t n;

	drain(cap);
	ck_assert_int_eq(run("'%s' netns exec %s '%s' -q %s -c 1 -I va 192.0.2.10",
			     ipcmd, ns_a, arping, flag), 0);
	snprintf(what, sizeof(what), "arping %s", flag);
	n = wait_frame(cap, is_arp_from, &m, got, size, what);
	close(cap);
	parses_as(got, n, style);
	return n;
}

/* ------------------------------------------------------------------ */
/* Byte-for-byte comparisons                                           */
/* ------------------------------------------------------------------ */

START_TEST(arping_U_equals_announce)
{
	uint8_t got[2048], ours[IPTO_FRAME_MAX_LEN], dflt[IPTO_FRAME_MAX_LEN];
	size_t n = capture_arping("-U", 1, IPTO_FRAME_STYLE_ARP_ANNOUNCE, got,
				  sizeof(got));
	int olen;

	/* equal to the announcement with a broadcast target MAC */
	olen = build(IPTO_FRAME_STYLE_ARP_ANNOUNCE, MAC_A, IP_A,
		     IPTO_FRAME_THA_BROADCAST, ours);
	compare("arping -U vs arp-announce tha=broadcast", got, n, ours,
		(size_t)olen, 0, 0);

	/* the default differs in the target MAC only: arping says
	 * broadcast, libipto zero, as RFC 5227 2.3 and the kernel do */
	olen = build(IPTO_FRAME_STYLE_ARP_ANNOUNCE, MAC_A, IP_A, 0, dflt);
	compare("arping -U vs arp-announce default", got, n, dflt,
		(size_t)olen, 32, 38);
	ck_assert_mem_eq(got + 32, "\xff\xff\xff\xff\xff\xff", 6);
	ck_assert_mem_eq(dflt + 32, "\0\0\0\0\0\0", 6);
}
END_TEST

START_TEST(arping_A_equals_reply)
{
	uint8_t got[2048], ours[IPTO_FRAME_MAX_LEN];
	size_t n = capture_arping("-A", 2, IPTO_FRAME_STYLE_ARP_REPLY, got,
				  sizeof(got));
	int olen;

	olen = build(IPTO_FRAME_STYLE_ARP_REPLY, MAC_A, IP_A, 0, ours);
	compare("arping -A vs arp-reply default", got, n, ours, (size_t)olen,
		0, 0);
}
END_TEST

/* The kernel announces an address itself when the MAC changes with
 * arp_notify=1: arp_send(REQUEST, tip = sip, target hw NULL -> zero). */
START_TEST(kernel_arp_notify_equals_announce)
{
	static const char mac_new[] = "00:00:5e:00:53:03";
	int cap = ns_socket(ns_b, "vb");
	struct arp_match m = { 1, M(mac_new) };
	uint8_t got[2048], ours[IPTO_FRAME_MAX_LEN];
	size_t n;
	int olen;

	drain(cap);
	ck_assert_int_eq(run("'%s' netns exec %s sysctl -qw net.ipv4.conf.va.arp_notify=1",
			     ipcmd, ns_a), 0);
	ck_assert_int_eq(run("'%s' -n %s link set va address %s", ipcmd, ns_a,
			     mac_new), 0);
	n = wait_frame(cap, is_arp_from, &m, got, sizeof(got), "arp_notify");
	close(cap);
	ck_assert_int_eq(run("'%s' netns exec %s sysctl -qw net.ipv4.conf.va.arp_notify=0",
			     ipcmd, ns_a), 0);
	ck_assert_int_eq(run("'%s' -n %s link set va address %s", ipcmd, ns_a,
			     MAC_A), 0);
	parses_as(got, n, IPTO_FRAME_STYLE_ARP_ANNOUNCE);
	olen = build(IPTO_FRAME_STYLE_ARP_ANNOUNCE, mac_new, IP_A, 0, ours);
	compare("kernel arp_notify vs arp-announce default", got, n, ours,
		(size_t)olen, 0, 0);
}
END_TEST

/* The kernel's unsolicited NA after DAD with ndisc_notify=1: from the
 * address itself to ff02::1, Override, TLLA (ndisc_send_unsol_na()). */
START_TEST(kernel_ndisc_notify_equals_na)
{
	struct ipto_addr target = A("2001:db8::10");
	int cap = ns_socket(ns_b, "vb");
	uint8_t got[2048], ours[IPTO_FRAME_MAX_LEN];
	size_t n;
	int olen;

	drain(cap);
	ck_assert_int_eq(run("'%s' netns exec %s sysctl -qw net.ipv6.conf.va.ndisc_notify=1",
			     ipcmd, ns_a), 0);
	ck_assert_int_eq(run("'%s' -n %s addr add 2001:db8::10/64 dev va",
			     ipcmd, ns_a), 0);
	n = wait_frame(cap, is_na_for, &target, got, sizeof(got), "kernel NA");
	close(cap);
	parses_as(got, n, IPTO_FRAME_STYLE_NA);
	olen = build(IPTO_FRAME_STYLE_NA, MAC_A, "2001:db8::10/64", 0, ours);
	ck_assert_uint_eq(n, (size_t)olen);
	compare("kernel ndisc_notify vs na", got, n, ours, (size_t)olen, 0, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 255.255.255.255 as the broadcast target: what Linux does with it     */
/* ------------------------------------------------------------------ */

/* b's MAC for 192.0.2.10, read with "ip neigh". */
static struct ipto_mac b_neigh_mac(void)
{
	char cmd[256], line[256] = "", mac[IPTO_MAC_STRLEN];
	const char *ll;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "'%s' -n %s neigh show 192.0.2.10 dev vb",
		 ipcmd, ns_b);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	if (!fgets(line, sizeof(line), p))
		line[0] = '\0';
	pclose(p);
	ll = strstr(line, "lladdr ");
	ck_assert_msg(ll && strlen(ll) >= 7 + 17, "b's entry: \"%s\"", line);
	memcpy(mac, ll + 7, 17);
	mac[17] = '\0';
	return M(mac);
}

/*
 * Send @frame from a, then a sync request from a stranger (192.0.2.30 at
 * 00:00:5e:00:53:04) asking for b's address, and wait for b's reply. b
 * handles the frames in order (one sender pinned to one CPU, one veth), so
 * by then it has processed @frame, and any ARP reply b sent before the
 * sync reply would be an answer to @frame: the first reply must be the
 * sync reply (which also shows the capture would see an answer).
 */
static void send_and_sync(int inj, int cap_a, const uint8_t *frame, size_t len)
{
	struct ipto_mac smac = M("00:00:5e:00:53:04");
	struct ipto_addr sip = A("192.0.2.30/24");
	IPTO_OPTS(ipto_frame_opts, o, .target = A("192.0.2.20"));
	struct arp_match reply_from_b = { 2, M(MAC_B) };
	uint8_t sync[IPTO_FRAME_MAX_LEN], got[2048];
	int r;

	r = ipto_frame_build(NULL, IPTO_FRAME_STYLE_ARP_REQUEST, &smac, &sip, &o,
			     sync, sizeof(sync));
	ck_assert_int_eq(r, 60);
	drain(cap_a);
	ck_assert_int_eq(send(inj, frame, len, 0), (ssize_t)len);
	ck_assert_int_eq(send(inj, sync, (size_t)r, 0), r);
	wait_frame(cap_a, is_arp_from, &reply_from_b, got, sizeof(got),
		   "sync reply");
	/* its target IP: the stranger, not the announced address */
	ck_assert_msg(memcmp(got + 38, "\xc0\x00\x02\x1e", 4) == 0,
		      "b answered the frame under test");
}

/* b: a fresh STALE entry 192.0.2.10 -> 00:00:5e:00:53:99 and the given
 * locktime (1/100 s) and drop_gratuitous_arp. */
static void b_prepare(int locktime, int drop_garp)
{
	struct timespec until;

	ck_assert_int_eq(run("'%s' netns exec %s sysctl -qw "
			     "net.ipv4.neigh.vb.locktime=%d "
			     "net.ipv4.conf.vb.drop_gratuitous_arp=%d",
			     ipcmd, ns_b, locktime, drop_garp), 0);
	run("'%s' -n %s neigh del 192.0.2.10 dev vb 2>/dev/null || true", ipcmd,
	    ns_b);
	ck_assert_int_eq(run("'%s' -n %s neigh add 192.0.2.10 lladdr "
			     "00:00:5e:00:53:99 dev vb nud stale",
			     ipcmd, ns_b), 0);
	/* Locktime 0 still needs the entry to be older than the frame by
	 * one jiffy (time_after()): wait until CLOCK_MONOTONIC is 50 ms (five
	 * jiffies at HZ=100) past the moment the entry was in place. Only a
	 * lower bound: a slower machine waits longer, which is fine. */
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += 50 * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
		;
}

struct garp_cell {
	int locktime;
	int drop_garp;
	const char *ip;       /* the prefix decides the target IP */
	enum ipto_frame_style style;
	bool updates;
};

static const struct garp_cell cells[] = {
	/* locktime passed (0): every style updates */
	{ 0, 0, "192.0.2.10/32", IPTO_FRAME_STYLE_ARP_BCAST_TARGET, true },
	{ 0, 0, "192.0.2.10/31", IPTO_FRAME_STYLE_ARP_BCAST_TARGET, true },
	{ 0, 0, "192.0.2.10", IPTO_FRAME_STYLE_ARP_BCAST_TARGET, true },
	{ 0, 0, "192.0.2.10/24", IPTO_FRAME_STYLE_ARP_BCAST_TARGET, true },
	{ 0, 0, "192.0.2.10/24", IPTO_FRAME_STYLE_ARP_ANNOUNCE, true },
	/* entry just updated (locktime 1000 s): only tpa == spa gets in */
	{ 100000, 0, "192.0.2.10/32", IPTO_FRAME_STYLE_ARP_BCAST_TARGET, false },
	{ 100000, 0, "192.0.2.10/24", IPTO_FRAME_STYLE_ARP_BCAST_TARGET, false },
	{ 100000, 0, "192.0.2.10/24", IPTO_FRAME_STYLE_ARP_ANNOUNCE, true },
	/* drop_gratuitous_arp: only tpa != spa gets in */
	{ 0, 1, "192.0.2.10/32", IPTO_FRAME_STYLE_ARP_BCAST_TARGET, true },
	{ 0, 1, "192.0.2.10/24", IPTO_FRAME_STYLE_ARP_BCAST_TARGET, true },
	{ 0, 1, "192.0.2.10/24", IPTO_FRAME_STYLE_ARP_ANNOUNCE, false },
};

START_TEST(limited_broadcast_target_acts_like_subnet_broadcast)
{
	const struct garp_cell *c = &cells[_i];
	int inj = ns_socket(ns_a, "va");
	int cap_a = ns_socket(ns_a, "va");
	struct ipto_mac want = M(c->updates ? MAC_A : "00:00:5e:00:53:99");
	struct ipto_mac got;
	uint8_t f[IPTO_FRAME_MAX_LEN];
	int len = build(c->style, MAC_A, c->ip, 0, f);
	char s[IPTO_MAC_STRLEN];

	b_prepare(c->locktime, c->drop_garp);
	send_and_sync(inj, cap_a, f, (size_t)len);
	got = b_neigh_mac();
	close(inj);
	close(cap_a);
	ipto_mac_format(&got, s, sizeof(s));
	printf("locktime=%d drop_gratuitous_arp=%d %s %s (target %u.%u.%u.%u): b has %s\n",
	       c->locktime, c->drop_garp, ipto_frame_style_name(c->style),
	       c->ip, f[38], f[39], f[40], f[41], s);
	ck_assert_msg(ipto_mac_equal(&got, &want),
		      "b's entry is %s, want %s", s,
		      c->updates ? MAC_A : "the old MAC");
}
END_TEST

static Suite *arping_suite(void)
{
	Suite *s = suite_create("frame-arping");
	TCase *tc;

	test_tcase(s, "compare", arping_U_equals_announce,
		   arping_A_equals_reply, kernel_arp_notify_equals_announce,
		   kernel_ndisc_notify_equals_na);
	tc = test_tcase(s, "limited-broadcast");
	tcase_add_loop_test(tc, limited_broadcast_target_acts_like_subnet_broadcast,
			    0, (int)(sizeof(cells) / sizeof(cells[0])));
	return s;
}

int main(int argc, char **argv)
{
	cpu_set_t one;
	int status;

	arping = argc > 1 ? argv[1] : "";
	ipcmd = argc > 2 ? argv[2] : "";
	if (geteuid() != 0) {
		printf("needs root (namespaces, packet sockets): skip\n");
		return 77;
	}
	if (!*arping || access(arping, X_OK) != 0 || !*ipcmd ||
	    access(ipcmd, X_OK) != 0) {
		printf("arping or ip not found: skip\n");
		return 77;
	}
	/* One CPU: frames sent one after another reach b in that order. */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() >= 0 ? sched_getcpu() : 0, &one);
	sched_setaffinity(0, sizeof(one), &one);

	home_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home_ns < 0 || !lan_build()) {
		lan_down();
		printf("cannot build the namespaces: skip\n");
		return 77;
	}
	/* the tests share the namespaces and this process's sockets */
	status = test_run_suite(arping_suite(), true);
	lan_down();
	return status;
}
