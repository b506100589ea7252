# SPDX-License-Identifier: MIT OR Apache-2.0
# Container profiles (sysfence::oci, `sysfence convert`): the real consumers its tests run.
# Included by the root Makefile.
#
#   cli/tests/containers.rs runs moby's default profile under runc (a bundle with a static
#   probe) and bubblewrap (`--seccomp FD` with `sysfence compile` output) and compares with
#   `sysfence explain` and `sysfence run`. It is part of the Rust suites.

APT_PACKAGES += runc bubblewrap
