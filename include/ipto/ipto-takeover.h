/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libipto: takeover API. Include <ipto/ipto.h> rather than this file. */
#ifndef IPTO_IPTO_TAKEOVER_H
#define IPTO_IPTO_TAKEOVER_H

#include <ipto/ipto.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif /* IPTO_IPTO_TAKEOVER_H */
