#!/bin/sh
# SPDX-License-Identifier: MIT
# autogen.sh: generate configure and Makefile.in from a fresh checkout.
set -e
cd "$(dirname "$0")"
mkdir -p build-aux m4
exec autoreconf -fi
