/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the files of ipto-agent share: ipto-agent.c (main, usage, logging),
 * server.c (listen: connections, admission, the event loop), operations.c
 * (what an instruction does; the announcement jobs) and client.c (instruct,
 * keygen). See ipto-agent.c for the whole design.
 */
#ifndef IPTO_EXAMPLES_IPTO_AGENT_H
#define IPTO_EXAMPLES_IPTO_AGENT_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ipto/ipto.h>

#include "agent-proto.h"
#include "cluster-config.h"

#define EXIT_USAGE 2
#define EXIT_NOREPLY 3
#define EXIT_DENIED 4
#define MAX_JOBS 64
#define MAX_ALLOW 64
#define MAX_REQUESTS 64         /* per connection */
#define OUT_MAX 4096            /* unread reply bytes per connection */
#define ACCEPT_BATCH 64         /* accepts per loop turn */
#define LOG_BURST 20            /* refusals logged per second and reason */
#define MAX_PEERS 1024          /* peers whose request rate is tracked */
#define MAX_REASONS 16          /* refusal reasons counted apart */

/* ---- listen: the standby's state ---------------------------------- */

/* A takeover whose announcement schedule is still running. */
struct job {
	struct ipto_takeover *t;
	struct ipto_plan *plan;  /* what it bound, checked before each round */
	char node[256];
	char what[128];
};

struct conn {
	int fd;
	struct ipto_addr peer;
	char peer_text[INET6_ADDRSTRLEN];
	char in[AGENT_MAX_LINE];
	size_t in_len;
	char out[OUT_MAX];
	size_t out_len;
	int64_t deadline;       /* absolute: accept + --conn-timeout */
	unsigned int requests;
	bool closing;           /* refused or done: flush, then close */
	bool dead;              /* close at the end of this event */
	bool want_out;          /* EPOLLOUT registered */
	const char *nonce_hex;  /* of the request being answered */
};

enum { EV_SIGNAL = 1, EV_LISTEN, EV_CONN, EV_JOB };
#define EV(kind, idx) (((uint64_t)(kind) << 32) | (uint32_t)(idx))

struct agent {
	struct ipto_ctx *ctx;
	struct cluster *cluster;
	const char *standby;
	struct ipto_binder *binder;
	struct ipto_injector *injector;
	const char *config;     /* read afresh for each takeover / release */
	struct job jobs[MAX_JOBS];
	size_t n_jobs;
	struct conn **conns;    /* slots; NULL is free */
	size_t max_conns, n_conns;
	int per_peer;
	int64_t conn_timeout_ms;
	struct ipto_addr allow[MAX_ALLOW];
	size_t n_allow;
	struct agent_key key;
	struct agent_replay *replay;
	/* per-peer request rate: a token bucket each, --rate a second,
	 * bursts of 10 s worth */
	struct peer_rate {
		struct ipto_addr addr;
		double tokens;
		int64_t last;
	} peers[MAX_PEERS];
	size_t n_peers;
	double rate;
	int epfd;
	int verbose;
	/* refusal log limiter: the reasons seen in this second */
	int64_t log_window;
	struct reason {
		const char *why;        /* a string constant: compared by address */
		unsigned int logged, suppressed;
	} reasons[MAX_REASONS];
	size_t n_reasons;
};
extern struct agent ag;     /* ipto-agent.c */

/* listen's command line (main() reads it, cmd_listen() runs on it) */
struct listen_opts {
	const char *config, *standby, *address, *key;
	int64_t window_ms;
	bool unsafe;
};

/* ipto-agent.c: usage errors, logging, addresses, clocks */
void die_usage(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
/* every log line is escaped: node names, peers' bytes, library text */
void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void refusal(const char *peer, const char *why, const void *bytes, size_t len);
int parse_endpoint(const char *text, struct sockaddr_storage *ss,
		   socklen_t *len);
int sockaddr_to_addr(const struct sockaddr_storage *ss, struct ipto_addr *a,
		     char *text, size_t textlen);
int64_t now_ms(void);
int64_t wall_ms(void);

/* server.c: listen */
int cmd_listen(const struct listen_opts *o);
/* one authenticated reply on @c: "ok 0 TEXT" or "error ERRNO TEXT" */
void reply(struct conn *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* operations.c: what an instruction does; the announcement jobs */
void instruction(struct conn *c, char **w, size_t n);
void on_job_due(size_t i);
void drop_job(size_t i);

/* client.c: instruct, keygen */
int cmd_instruct(const char *keyfile, const char *address, char **words, int n,
		 unsigned int timeout_ms);
int cmd_keygen(const char *path);

#endif
