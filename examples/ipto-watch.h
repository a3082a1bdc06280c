/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ipto watch, probe, tickle (examples/ipto-watch.c), linked into ipto. */
#ifndef IPTO_EXAMPLES_IPTO_WATCH_H
#define IPTO_EXAMPLES_IPTO_WATCH_H

/* watch_cmd_main - run "ipto watch|probe|tickle ..." and return the exit
 * status, or -1 when the command word of @argv is none of the three. */
int watch_cmd_main(int argc, char **argv);

#endif
