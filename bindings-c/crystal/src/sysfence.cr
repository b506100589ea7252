# SPDX-License-Identifier: MIT OR Apache-2.0
require "json"
require "./lib_sysfence"
require "./sysfence/errors"
require "./sysfence/filter"

# Declarative seccomp-bpf policies for Crystal, over libsysfence's C ABI (docs/crystal.md).
#
# ```
# Sysfence.apply_preset("no-exec") # every thread: exec and fork fail with EACCES
# ```
#
# A policy is a String (JSON text or a preset name, told apart by the library's one rule) or
# anything with `#to_json` (a `Hash`, a `NamedTuple`, `JSON::Any`).
module Sysfence
  # "0.1.0 (libseccomp 2.6.1)"
  def self.version : String
    String.new(LibSysfence.version)
  end

  # Validates, compiles and loads *policy* into this process, all threads. All or nothing.
  # *mode* (`"enforce"` or `"log"`), when given, replaces the policy's own mode; an unknown
  # one raises `InvalidArgumentError` and loads nothing.
  def self.apply(policy, mode : String? = nil) : Nil
    check_code(LibSysfence.apply_json_mode(c_string(policy_json(policy)), c_string(mode)))
  end

  # Applies a preset ("no-exec", "no-spawn", "hardened") to this process, all threads, in
  # *mode* when given.
  def self.apply_preset(name : String, mode : String? = nil) : Nil
    check_code(LibSysfence.apply_preset_mode(c_string(name), c_string(mode)))
  end

  # Compiles *policy* without loading it.
  def self.compile(policy) : Filter
    ptr = LibSysfence.compile_json(c_string(policy_json(policy)))
    raise_last_error if ptr.null?
    Filter.new(ptr)
  end

  # Every error and lint warning, as the check report of every language:
  # `{"ok", "errors", "warnings", "diagnostics": [{"severity", "kind", "path", "message", "suggestion"}]}`.
  def self.check(policy) : JSON::Any
    JSON.parse(take_string(LibSysfence.check_json(c_string(policy_json(policy)))))
  end

  # Converts *input* (a policy or a Docker/Podman/OCI seccomp profile) to *to* ("oci",
  # "docker" or "sysfence"). A container profile's conditionals are resolved for *caps*
  # ("default,CAP_SYS_ADMIN"; default: Docker's default set), *arch* and *kernel* ("6.1").
  def self.convert(input, to : String, caps : String? = nil, arch : String? = nil, kernel : String? = nil) : JSON::Any
    context = {"caps" => caps, "arch" => arch, "kernel" => kernel}.compact.to_json
    ptr = LibSysfence.convert_json(c_string(policy_json(input)), c_string(to), c_string(context))
    raise_last_error if ptr.null?
    JSON.parse(take_string(ptr))
  end

  # The calling thread's seccomp state: `{"mode", "filters", "no_new_privs"}`.
  def self.status : JSON::Any
    JSON.parse(take_string(LibSysfence.status_json))
  end

  # One line of the kernel log, /dev/kmsg, audit.log or journald holding a seccomp record, as an
  # ECS document (`event.action` is "violated-seccomp-policy"); nil for any other line.
  def self.parse_audit_line(line : String) : JSON::Any?
    ptr = LibSysfence.parse_audit_line(c_string(line))
    if ptr.null?
      code = LibSysfence.last_error_code
      raise_last_error(code) unless code.zero?
      return nil
    end
    JSON.parse(take_string(ptr))
  end

  # JSON text for *policy*.
  def self.policy_json(policy : String) : String
    policy
  end

  # :ditto:
  def self.policy_json(policy) : String
    policy.to_json
  end

  # A C string for *text*. A NUL byte cannot cross a C string: an `InvalidArgumentError`, as in C.
  def self.c_string(text : String) : LibC::Char*
    raise InvalidArgumentError.new("text contains a NUL byte", LibSysfence::Result::ERR_INVALID_ARGUMENT.value) if text.includes?('\0')
    text.to_unsafe
  end

  # :ditto:
  def self.c_string(text : Nil) : LibC::Char*
    Pointer(LibC::Char).null
  end

  # Raises the last error unless *code* is 0.
  def self.check_code(code : Int32) : Nil
    raise_last_error(code) unless code.zero?
  end

  # A String from a `char *` sysfence returned, freed here; NULL raises the last error.
  def self.take_string(ptr : LibC::Char*) : String
    raise_last_error if ptr.null?
    begin
      String.new(ptr)
    ensure
      LibSysfence.string_free(ptr)
    end
  end
end
