/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * agent-proto: the authenticated wire protocol of ipto-agent (doc/agent.md),
 * kept apart from the daemon so that the fuzz target links exactly the code
 * that parses outside bytes. Crypto: OpenSSL libcrypto (HMAC-SHA-256,
 * CRYPTO_memcmp, RAND_bytes).
 *
 * Request, one line of at most AGENT_MAX_LINE bytes with its "\n", words
 * separated by exactly one space:
 *
 *   ipto1 TS NONCE WORD... TAG
 *
 *   TS     sender's CLOCK_REALTIME in milliseconds, decimal
 *   NONCE  16 random bytes, 32 lowercase hex digits
 *   WORD   the instruction: "takeover NODE [IP]", "release NODE", "ping"
 *   TAG    HMAC-SHA-256(key, every byte of the line before " TAG"),
 *          64 lowercase hex digits
 *
 * Reply, one line: "denied" for every refused request (nothing else), or
 *
 *   BODY TAG     BODY = "ok 0 TEXT" | "error ERRNO TEXT"
 *                TAG  = HMAC-SHA-256(key, "reply " NONCE " " BODY)
 *
 * where NONCE is the request's, so a reply cannot be forged nor replayed
 * onto another request. TEXT is escaped (agent_escape()).
 */
#ifndef IPTO_EXAMPLES_AGENT_PROTO_H
#define IPTO_EXAMPLES_AGENT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AGENT_MAX_LINE 512      /* request or reply, with the "\n" */
#define AGENT_NONCE_LEN 16
#define AGENT_TAG_LEN 32        /* HMAC-SHA-256 */
#define AGENT_KEY_MIN 32        /* bytes: HMAC-SHA-256's output size */
#define AGENT_KEY_MAX 128
#define AGENT_MAX_WORDS 4       /* takeover NODE IP is the longest */
#define AGENT_REPLAY_MAX 32768  /* nonces accepted per window */

struct agent_key {
	unsigned char b[AGENT_KEY_MAX];
	size_t len;
};

/*
 * agent_key_parse - a key file's contents: 64 to 256 hex digits (32 to 128
 * bytes), one optional trailing "\n". Returns 0 or -EINVAL.
 */
int agent_key_parse(const void *buf, size_t len, struct agent_key *key);

/*
 * agent_key_load - read and parse the key file @path. Refuses (-EPERM) a
 * file that is not a regular file, is not owned by the effective user, or
 * is readable or writable by group or others. One line of text in @err.
 */
int agent_key_load(const char *path, struct agent_key *key, char *err,
		   size_t errlen);

/*
 * agent_escape - copy @len bytes of @in to @out as printable ASCII: every
 * byte below 0x20, 0x7f and every byte from 0x80 becomes "\xHH". Stops
 * before @out would overflow; @out is always NUL-terminated (@outlen > 0).
 * Returns the length written.
 */
size_t agent_escape(const void *in, size_t len, char *out, size_t outlen);

/* A protocol word: 1 to 255 bytes from 0x21 to 0x7e. */
bool agent_word_ok(const char *s);

/* Why a request was refused (for logs; the peer only reads "denied"). */
enum agent_verdict {
	AGENT_OK = 0,
	AGENT_MALFORMED = 1,    /* not "ipto1 TS NONCE WORD... TAG" */
	AGENT_BAD_TAG = 2,      /* wrong key or tampered */
	AGENT_STALE = 3,        /* TS outside the window, or before the start */
	AGENT_REPLAYED = 4,     /* this nonce was already accepted */
	AGENT_CACHE_FULL = 5,   /* too many requests in one window: fail closed */
};
const char *agent_verdict_name(enum agent_verdict v);

/*
 * The nonces accepted, in three generations of one window each: a request
 * is accepted with TS within the window of now, so it can be replayed
 * for at most two windows after it was accepted, and a nonce stays here
 * for at least that long. Each generation is an open-addressing hash set
 * (the nonces are random: their first bytes are the hash); a generation
 * that holds AGENT_REPLAY_MAX nonces refuses more (fail closed).
 */
#define AGENT_REPLAY_SLOTS (2 * AGENT_REPLAY_MAX)
struct agent_replay {
	struct agent_gen {
		unsigned char nonce[AGENT_REPLAY_SLOTS][AGENT_NONCE_LEN];
		uint32_t used[AGENT_REPLAY_MAX];   /* the slots taken, to clear */
		size_t n;
	} gen[3];
	unsigned int cur;       /* the generation new nonces go to */
	int64_t gen_start_ms;   /* when it became current */
	int64_t window_ms;      /* |now - TS| must not exceed it */
	int64_t start_ms;       /* requests timestamped before it are stale */
};

/* agent_replay_init - empty (all of it), for requests from @start_ms on. */
void agent_replay_init(struct agent_replay *r, int64_t window_ms,
		       int64_t start_ms);
/* agent_replay_reset - the same for an initialised cache, clearing only
 * the slots in use. */
void agent_replay_reset(struct agent_replay *r, int64_t window_ms,
			int64_t start_ms);
struct agent_request {
	int64_t ts_ms;
	unsigned char nonce[AGENT_NONCE_LEN];
	char nonce_hex[2 * AGENT_NONCE_LEN + 1];
	char *words[AGENT_MAX_WORDS];   /* point into the line */
	size_t n_words;
};

/*
 * agent_request_verify - check one request line (@len bytes, without the
 * "\n"; modified in place): its form, then its tag in constant time, then
 * its time against @now_ms and @replay's window, then its nonce; only a
 * request that passes all is remembered in @replay. Fills @req on
 * AGENT_OK.
 */
enum agent_verdict agent_request_verify(const struct agent_key *key,
					struct agent_replay *replay, char *line,
					size_t len, int64_t now_ms,
					struct agent_request *req);

/*
 * agent_request_build - the request line for @words (with its "\n") in
 * @out. Returns its length, or -EINVAL (bad word), -EMSGSIZE (too long).
 */
int agent_request_build(const struct agent_key *key, int64_t ts_ms,
			const unsigned char nonce[AGENT_NONCE_LEN],
			const char *const *words, size_t n, char *out,
			size_t outlen);

/*
 * agent_reply_build - "ok 0 TEXT TAG\n" (@err 0) or "error ERRNO TEXT TAG\n"
 * (@err a negative errno) for the request with @nonce_hex; @text is
 * escaped and cut to fit. Returns the length.
 */
int agent_reply_build(const struct agent_key *key, const char *nonce_hex,
		      int err, const char *text, char *out, size_t outlen);

/*
 * agent_reply_verify - check a reply line (without "\n"; modified in
 * place) to the request with @nonce_hex. Returns 0 and sets *@code (0 or a
 * positive errno) and *@text; 1 for "denied"; -EBADMSG when malformed or
 * its tag is wrong.
 */
int agent_reply_verify(const struct agent_key *key, const char *nonce_hex,
		       char *line, size_t len, long *code, const char **text);

/* agent_random - @len bytes from OpenSSL's CSPRNG. Returns 0 or -EIO. */
int agent_random(void *buf, size_t len);

#endif
