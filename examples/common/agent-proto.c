/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* agent-proto: see agent-proto.h and doc/agent.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "agent-proto.h"

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly 2 * @n lowercase hex digits at @s into @out. */
static bool unhex(const char *s, size_t slen, unsigned char *out, size_t n)
{
	size_t i;

	if (slen != 2 * n)
		return false;
	for (i = 0; i < n; i++) {
		int hi = hexval((unsigned char)s[2 * i]);
		int lo = hexval((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

static void tohex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int agent_key_parse(const void *buf, size_t len, struct agent_key *key)
{
	const char *s = buf;

	if (len && s[len - 1] == '\n')
		len--;
	if (len % 2 || len < 2 * AGENT_KEY_MIN || len > 2 * AGENT_KEY_MAX)
		return -EINVAL;
	if (!unhex(s, len, key->b, len / 2))
		return -EINVAL;
	key->len = len / 2;
	return 0;
}

int agent_key_load(const char *path, struct agent_key *key, char *err,
		   size_t errlen)
{
	char buf[2 * AGENT_KEY_MAX + 2];
	struct stat st;
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "--key %s: %s", path, strerror(errno));
		return r;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "--key %s: not a regular file", path);
		close(fd);
		return -EPERM;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "--key %s: owned by uid %u, not by the user "
			 "running ipto-agent (uid %u)", path, (unsigned)st.st_uid,
			 (unsigned)geteuid());
		close(fd);
		return -EPERM;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen, "--key %s: mode %04o lets group or others "
			 "access it; chmod 600 %s", path,
			 (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return -EPERM;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		r = -errno;
		snprintf(err, errlen, "--key %s: %s", path, strerror(errno));
		return r;
	}
	r = (size_t)n == sizeof(buf) ? -EINVAL : agent_key_parse(buf, (size_t)n, key);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (r < 0)
		snprintf(err, errlen, "--key %s: not a key: %d to %d hex digits and "
			 "an optional newline (ipto-agent keygen FILE makes one)",
			 path, 2 * AGENT_KEY_MIN, 2 * AGENT_KEY_MAX);
	return r;
}

size_t agent_escape(const void *in, size_t len, char *out, size_t outlen)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = in;
	size_t o = 0, i;

	if (!outlen)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c >= 0x20 && c < 0x7f) {
			if (o + 1 >= outlen)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 4 >= outlen)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = digits[c >> 4];
			out[o++] = digits[c & 15];
		}
	}
	out[o] = '\0';
	return o;
}

bool agent_word_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if ((unsigned char)s[n] <= ' ' || (unsigned char)s[n] >= 0x7f)
			return false;
	return n >= 1 && n <= 255;
}

const char *agent_verdict_name(enum agent_verdict v)
{
	switch (v) {
	case AGENT_OK: return "ok";
	case AGENT_MALFORMED: return "malformed";
	case AGENT_BAD_TAG: return "bad tag (wrong key or tampered)";
	case AGENT_STALE: return "stale (timestamp outside the window)";
	case AGENT_REPLAYED: return "replayed (nonce seen before)";
	case AGENT_CACHE_FULL: return "replay cache full";
	}
	return "?";
}

void agent_replay_init(struct agent_replay *r, int64_t window_ms,
		       int64_t start_ms)
{
	memset(r->gen, 0, sizeof(r->gen));
	r->cur = 0;
	r->gen_start_ms = start_ms;
	r->window_ms = window_ms;
	r->start_ms = start_ms;
}

static void gen_clear(struct agent_gen *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		memset(g->nonce[g->used[i]], 0, AGENT_NONCE_LEN);
	g->n = 0;
}

void agent_replay_reset(struct agent_replay *r, int64_t window_ms,
			int64_t start_ms)
{
	int i;

	for (i = 0; i < 3; i++)
		gen_clear(&r->gen[i]);
	r->cur = 0;
	r->gen_start_ms = start_ms;
	r->window_ms = window_ms;
	r->start_ms = start_ms;
}

static const unsigned char zero_nonce[AGENT_NONCE_LEN];

/* The slot of @nonce in @g, or of the free slot where it would go. */
static size_t gen_slot(const struct agent_gen *g, const unsigned char *nonce)
{
	size_t h = ((size_t)nonce[0] << 8 | nonce[1] | (size_t)nonce[2] << 16) %
		   AGENT_REPLAY_SLOTS;

	while (memcmp(g->nonce[h], zero_nonce, AGENT_NONCE_LEN) != 0 &&
	       memcmp(g->nonce[h], nonce, AGENT_NONCE_LEN) != 0)
		h = (h + 1) % AGENT_REPLAY_SLOTS;
	return h;
}

/* Seen before: 1; remembered now: 0; no room: -1. */
static int replay_check(struct agent_replay *r, const unsigned char *nonce,
			int64_t now_ms)
{
	struct agent_gen *g;
	size_t h;
	int i;

	/* Rotate: each generation covers one window; the oldest is
	 * forgotten once everything in it has been stale for a window. */
	if (now_ms - r->gen_start_ms >= 3 * r->window_ms) {
		for (i = 0; i < 3; i++)  /* idle for long: all stale */
			gen_clear(&r->gen[i]);
		r->gen_start_ms = now_ms;
	}
	while (now_ms - r->gen_start_ms >= r->window_ms) {
		r->cur = (r->cur + 1) % 3;
		gen_clear(&r->gen[r->cur]);
		r->gen_start_ms += r->window_ms;
	}
	/* The all-zero nonce marks a free slot: never accepted. */
	if (memcmp(nonce, zero_nonce, AGENT_NONCE_LEN) == 0)
		return 1;
	for (i = 0; i < 3; i++) {
		g = &r->gen[i];
		h = gen_slot(g, nonce);
		if (memcmp(g->nonce[h], nonce, AGENT_NONCE_LEN) == 0)
			return 1;
	}
	g = &r->gen[r->cur];
	if (g->n >= AGENT_REPLAY_MAX)
		return -1;
	h = gen_slot(g, nonce);
	memcpy(g->nonce[h], nonce, AGENT_NONCE_LEN);
	g->used[g->n++] = (uint32_t)h;
	return 0;
}

static void tag_of(const struct agent_key *key, const void *a, size_t alen,
		   const void *b, size_t blen, unsigned char out[AGENT_TAG_LEN])
{
	/* HMAC over a || b, without copying: the streaming interface. */
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	size_t outlen = 0;

	if (!ctx || !EVP_MAC_init(ctx, key->b, key->len, params) ||
	    !EVP_MAC_update(ctx, a, alen) || (blen && !EVP_MAC_update(ctx, b, blen)) ||
	    !EVP_MAC_final(ctx, out, &outlen, AGENT_TAG_LEN) || outlen != AGENT_TAG_LEN) {
		/* Never matches anything a peer can send: fail closed. */
		RAND_bytes(out, AGENT_TAG_LEN);
		out[0] ^= 0x55;
	}
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
}

/* Splits @line (@len bytes) on single spaces; false on an empty word or
 * too many words. */
static bool split_words(char *line, size_t len, char **w, size_t max, size_t *n)
{
	size_t i, start = 0;

	*n = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && line[i] != ' ')
			continue;
		if (i == start || *n == max)
			return false;
		w[(*n)++] = line + start;
		if (i < len)
			line[i] = '\0';
		start = i + 1;
	}
	return true;
}

enum agent_verdict agent_request_verify(const struct agent_key *key,
					struct agent_replay *replay, char *line,
					size_t len, int64_t now_ms,
					struct agent_request *req)
{
	unsigned char want[AGENT_TAG_LEN], got[AGENT_TAG_LEN];
	char *w[AGENT_MAX_WORDS + 4];
	size_t n, i, signed_len;
	int64_t ts = 0;
	const char *tag;

	if (len == 0 || len >= AGENT_MAX_LINE || memchr(line, '\0', len))
		return AGENT_MALFORMED;
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] >= 0x7f)
			return AGENT_MALFORMED;
	tag = memrchr(line, ' ', len);
	if (!tag)
		return AGENT_MALFORMED;
	signed_len = (size_t)(tag - line);
	tag++;
	if (!unhex(tag, len - signed_len - 1, got, sizeof(got)))
		return AGENT_MALFORMED;
	/* The tag first: nothing else of an unauthenticated line is looked
	 * at further, and the comparison takes the same time wherever the
	 * first difference is. */
	tag_of(key, line, signed_len, NULL, 0, want);
	if (CRYPTO_memcmp(want, got, sizeof(want)) != 0)
		return AGENT_BAD_TAG;
	line[signed_len] = '\0';
	if (!split_words(line, signed_len, w, AGENT_MAX_WORDS + 3, &n) || n < 4 ||
	    strcmp(w[0], "ipto1") != 0)
		return AGENT_MALFORMED;
	if (strlen(w[1]) > 15 || w[1][0] == '0')
		return AGENT_MALFORMED;
	for (i = 0; w[1][i]; i++) {
		if (w[1][i] < '0' || w[1][i] > '9')
			return AGENT_MALFORMED;
		ts = ts * 10 + (w[1][i] - '0');
	}
	if (!unhex(w[2], strlen(w[2]), req->nonce, AGENT_NONCE_LEN))
		return AGENT_MALFORMED;
	if (ts < replay->start_ms || ts > now_ms + replay->window_ms ||
	    ts < now_ms - replay->window_ms)
		return AGENT_STALE;
	switch (replay_check(replay, req->nonce, now_ms)) {
	case 1: return AGENT_REPLAYED;
	case -1: return AGENT_CACHE_FULL;
	}
	req->ts_ms = ts;
	memcpy(req->nonce_hex, w[2], sizeof(req->nonce_hex));
	req->n_words = n - 3;
	for (i = 0; i < req->n_words; i++)
		req->words[i] = w[3 + i];
	return AGENT_OK;
}

/* Ends a line of @off bytes in @out with " TAG\n" (room checked by the
 * caller); the line's length. */
static int put_tag(const unsigned char tag[AGENT_TAG_LEN], char *out,
		   size_t off)
{
	out[off++] = ' ';
	tohex(tag, AGENT_TAG_LEN, out + off);
	off += 2 * AGENT_TAG_LEN;
	out[off++] = '\n';
	out[off] = '\0';
	return (int)off;
}

int agent_request_build(const struct agent_key *key, int64_t ts_ms,
			const unsigned char nonce[AGENT_NONCE_LEN],
			const char *const *words, size_t n, char *out,
			size_t outlen)
{
	char nonce_hex[2 * AGENT_NONCE_LEN + 1];
	unsigned char tag[AGENT_TAG_LEN];
	size_t off, i;
	int w;

	if (n < 1 || n > AGENT_MAX_WORDS || ts_ms <= 0)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!agent_word_ok(words[i]))
			return -EINVAL;
	tohex(nonce, AGENT_NONCE_LEN, nonce_hex);
	w = snprintf(out, outlen, "ipto1 %lld %s", (long long)ts_ms, nonce_hex);
	if (w < 0 || (size_t)w >= outlen)
		return -EMSGSIZE;
	off = (size_t)w;
	for (i = 0; i < n; i++) {
		w = snprintf(out + off, outlen - off, " %s", words[i]);
		if (w < 0 || (size_t)w >= outlen - off)
			return -EMSGSIZE;
		off += (size_t)w;
	}
	if (off + 1 + 2 * AGENT_TAG_LEN + 1 >= AGENT_MAX_LINE ||
	    off + 1 + 2 * AGENT_TAG_LEN + 2 > outlen)
		return -EMSGSIZE;
	tag_of(key, out, off, NULL, 0, tag);
	return put_tag(tag, out, off);
}

static void reply_tag(const struct agent_key *key, const char *nonce_hex,
		      const char *body, size_t blen, unsigned char tag[AGENT_TAG_LEN])
{
	char pre[8 + 2 * AGENT_NONCE_LEN];

	snprintf(pre, sizeof(pre), "reply %s ", nonce_hex);
	tag_of(key, pre, strlen(pre), body, blen, tag);
}

int agent_reply_build(const struct agent_key *key, const char *nonce_hex,
		      int err, const char *text, char *out, size_t outlen)
{
	unsigned char tag[AGENT_TAG_LEN];
	char esc[AGENT_MAX_LINE];
	size_t room, off;
	int w;

	if (outlen < 2 * AGENT_TAG_LEN + 32)
		return -EMSGSIZE;
	if (outlen > AGENT_MAX_LINE)
		outlen = AGENT_MAX_LINE;
	w = snprintf(out, outlen, "%s %d ", err ? "error" : "ok", -err);
	if (w < 0)
		return -EINVAL;
	off = (size_t)w;
	/* text, then " TAG\n\0" */
	room = outlen - off - (2 * AGENT_TAG_LEN + 3);
	agent_escape(text, strlen(text), esc, room + 1 < sizeof(esc) ? room + 1 : sizeof(esc));
	memcpy(out + off, esc, strlen(esc));
	off += strlen(esc);
	reply_tag(key, nonce_hex, out, off, tag);
	return put_tag(tag, out, off);
}

int agent_reply_verify(const struct agent_key *key, const char *nonce_hex,
		       char *line, size_t len, long *code, const char **text)
{
	unsigned char want[AGENT_TAG_LEN], got[AGENT_TAG_LEN];
	char *tag, *sp, *end;
	size_t blen;
	long v;

	if (len == 6 && memcmp(line, "denied", 6) == 0)
		return 1;
	if (memchr(line, '\0', len))
		return -EBADMSG;
	tag = memrchr(line, ' ', len);
	if (!tag)
		return -EBADMSG;
	blen = (size_t)(tag - line);
	if (!unhex(tag + 1, len - blen - 1, got, sizeof(got)))
		return -EBADMSG;
	reply_tag(key, nonce_hex, line, blen, want);
	if (CRYPTO_memcmp(want, got, sizeof(want)) != 0)
		return -EBADMSG;
	line[blen] = '\0';
	sp = strchr(line, ' ');
	if (!sp)
		return -EBADMSG;
	*sp++ = '\0';
	errno = 0;
	v = strtol(sp, &end, 10);
	if (errno || end == sp || (*end && *end != ' '))
		return -EBADMSG;
	if (!((strcmp(line, "ok") == 0 && v == 0) ||
	      (strcmp(line, "error") == 0 && v > 0)))
		return -EBADMSG;
	*code = v;
	*text = *end ? end + 1 : end;
	return 0;
}

int agent_random(void *buf, size_t len)
{
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -EIO;
}
