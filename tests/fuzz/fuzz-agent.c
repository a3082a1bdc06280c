/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: ipto-agent's wire protocol (examples/common/agent-proto.c),
 * authentication included. The first byte picks what the rest is:
 *
 *   0  bytes from a peer: split into lines as the agent does, each one
 *      verified against the key, the window and the replay cache
 *   1  instruction words: signed with the key (so the fuzzer gets past
 *      the tag), verified (must pass), verified again (must be a replay),
 *      then one flipped byte (must fail)
 *   2  a reply line from the standby, verified for a fixed nonce
 *   3  reply text: built into a reply, which must verify and be printable
 *   4  a key file's contents
 *   5  bytes to escape: the result must be printable ASCII
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent-proto.h"
#include "fuzz.h"

#define NOW 1700000000000LL
#define NONCE_HEX "00112233445566778899aabbccddeeff"

static struct agent_key key = { .len = 32 };
static struct agent_replay *replay;

static void printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			abort();
}

static void peer_bytes(const uint8_t *data, size_t size)
{
	char line[AGENT_MAX_LINE];
	struct agent_request req;

	agent_replay_reset(replay, 30000, NOW - 60000);
	while (size) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t len = nl ? (size_t)(nl - data) : size;

		if (len < sizeof(line)) {
			memcpy(line, data, len);
			if (agent_request_verify(&key, replay, line, len, NOW, &req) == AGENT_OK &&
			    (req.n_words < 1 || req.n_words > AGENT_MAX_WORDS))
				abort();
		}
		if (!nl)
			break;
		size -= len + 1;
		data += len + 1;
	}
}

static void signed_words(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size), *w[AGENT_MAX_WORDS], *save = NULL, *t;
	char line[AGENT_MAX_LINE + 1], again[AGENT_MAX_LINE + 1];
	unsigned char nonce[AGENT_NONCE_LEN] = { 1 };
	struct agent_request req;
	size_t n = 0;
	int len;

	if (!s)
		return;
	memcpy(nonce + 1, data, size < sizeof(nonce) - 1 ? size : sizeof(nonce) - 1);
	for (t = strtok_r(s, " ", &save); t && n < AGENT_MAX_WORDS;
	     t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	agent_replay_reset(replay, 30000, NOW - 60000);
	len = agent_request_build(&key, NOW, nonce, (const char *const *)w, n, line,
				  sizeof(line));
	if (len > 0) {
		if (line[len - 1] != '\n' || len >= AGENT_MAX_LINE)
			abort();
		memcpy(again, line, (size_t)len);
		if (agent_request_verify(&key, replay, line, (size_t)len - 1, NOW, &req) !=
		    AGENT_OK || req.n_words != n)
			abort();
		memcpy(line, again, (size_t)len);
		if (agent_request_verify(&key, replay, line, (size_t)len - 1, NOW, &req) !=
		    AGENT_REPLAYED)
			abort();
		/* Any one changed byte: refused. */
		again[(size_t)data[0] % (size_t)(len - 1)] ^= 0x01;
		agent_replay_reset(replay, 30000, NOW - 60000);
		if (agent_request_verify(&key, replay, again, (size_t)len - 1, NOW, &req) ==
		    AGENT_OK)
			abort();
	}
	free(s);
}

static void reply_line(const uint8_t *data, size_t size)
{
	char line[2 * AGENT_MAX_LINE];
	const char *text;
	long code;

	if (size >= sizeof(line))
		return;
	memcpy(line, data, size);
	line[size] = '\0';
	if (agent_reply_verify(&key, NONCE_HEX, line, size, &code, &text) == 0 &&
	    code < 0)
		abort();
}

static void reply_text(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size), out[AGENT_MAX_LINE];
	const char *text;
	long code;
	int len, err = size ? -(int)(data[0] % 140) : 0;

	if (!s)
		return;
	len = agent_reply_build(&key, NONCE_HEX, err, s, out, sizeof(out));
	if (len > 0) {
		if (len >= AGENT_MAX_LINE || out[len - 1] != '\n')
			abort();
		out[len - 1] = '\0';
		printable(out);
		if (agent_reply_verify(&key, NONCE_HEX, out, (size_t)len - 1, &code, &text) != 0 ||
		    code != -err)
			abort();
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct agent_key k;
	char esc[1024];

	if (!replay) {
		replay = malloc(sizeof(*replay));
		if (!replay)
			return 0;
		agent_replay_init(replay, 30000, NOW - 60000);
		memset(key.b, 0x42, key.len);
	}
	if (size < 1)
		return 0;
	switch (data[0] % 6) {
	case 0: peer_bytes(data + 1, size - 1); break;
	case 1: signed_words(data + 1, size - 1); break;
	case 2: reply_line(data + 1, size - 1); break;
	case 3: reply_text(data + 1, size - 1); break;
	case 4: agent_key_parse(data + 1, size - 1, &k); break;
	case 5:
		agent_escape(data + 1, size - 1, esc, sizeof(esc));
		printable(esc);
		break;
	}
	return 0;
}
