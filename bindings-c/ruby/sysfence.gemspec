# frozen_string_literal: true
# SPDX-License-Identifier: MIT OR Apache-2.0

# The `sysfence` gem: the FFI wrapper (lib/) and libsysfence.so (libseccomp linked in) for one
# platform. Built by `make package` (scripts/package.sh), which stages lib/sysfence/libsysfence.so
# and sets SYSFENCE_VERSION and SYSFENCE_GEM_PLATFORM (x86_64-linux, aarch64-linux).
Gem::Specification.new do |s|
  s.name = "sysfence"
  s.version = ENV.fetch("SYSFENCE_VERSION")
  s.platform = Gem::Platform.new(ENV.fetch("SYSFENCE_GEM_PLATFORM"))
  s.summary = "Declarative seccomp-bpf policies for Ruby: one call confines the whole process"
  s.description = "Validate, compile, simulate and load seccomp filters from JSON policies or " \
                  "presets. Carries libsysfence (libseccomp 2.6.1 linked in): no compiler, no " \
                  "system libseccomp needed."
  s.authors = ["sysfence contributors"]
  s.licenses = ["MIT", "Apache-2.0"]
  s.homepage = "https://github.com/sysfence/sysfence"
  s.required_ruby_version = ">= 2.7"
  s.files = Dir["lib/**/*.rb"] + ["lib/sysfence/libsysfence.so", "LICENSE-MIT", "LICENSE-APACHE"]
  s.require_paths = ["lib"]
  s.add_dependency "ffi", "~> 1.15"
end
