#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's Quick start runs examples/duplex-demo.sh; the demo itself
# lives in examples/demo/ (examples/README.md).
exec "$(dirname "${BASH_SOURCE[0]}")/demo/duplex-demo.sh" "$@"
