# frozen_string_literal: true
# SPDX-License-Identifier: MIT OR Apache-2.0

require "json"
require_relative "sysfence/native"
require_relative "sysfence/errors"
require_relative "sysfence/filter"

# Declarative seccomp-bpf policies for Ruby, over libsysfence's C ABI (docs/ruby.md).
#
#   Sysfence.apply_preset("no-exec")     # every thread: exec and fork fail with EACCES
#   Sysfence.apply({ "default_action" => "allow",
#                    "rules" => [{ "action" => "errno:EACCES", "syscalls" => ["@exec"] }] })
#
# A policy is a Hash (as JSON would have it) or a String: JSON text or a preset name, which the
# library tells apart by the one rule of every language. Errors raise Sysfence::Error
# subclasses, one per C result code.
module Sysfence
  module_function

  # "0.1.0 (libseccomp 2.6.1)"
  def version
    Native.sysfence_version
  end

  # Validates, compiles and loads +policy+ into this process, all threads. All or nothing.
  # +mode+ ("enforce" or "log", or a Symbol), when given, replaces the policy's own mode;
  # an unknown one raises InvalidArgumentError and loads nothing.
  def apply(policy, mode: nil)
    check_code(Native.sysfence_apply_json_mode(c_string(policy_json(policy)), c_string(mode&.to_s)))
  end

  # Applies a preset ("no-exec", "no-spawn", "hardened") to this process, all threads, in
  # +mode+ when given.
  def apply_preset(name, mode: nil)
    check_code(Native.sysfence_apply_preset_mode(c_string(name), c_string(mode&.to_s)))
  end

  # Compiles +policy+ without loading it.
  def compile(policy)
    ptr = Native.sysfence_compile_json(c_string(policy_json(policy)))
    raise_last_error if ptr.null?
    Filter.new(ptr)
  end

  # Every error and lint warning of +policy+, as the check report of every language:
  # { "ok" => false, "errors" => 1, "warnings" => 0,
  #   "diagnostics" => [{ "severity", "kind", "path", "message", "suggestion" }] }.
  def check(policy)
    JSON.parse(take_string(Native.sysfence_check_json(c_string(policy_json(policy)))))
  end

  # Converts +input+ (a policy or a Docker/Podman/OCI seccomp profile, a Hash or JSON text) to
  # +to+ ("oci", "docker" or "sysfence") and returns the result as a Hash. A container profile's
  # conditionals are resolved for +caps+ (a list or "default,CAP_SYS_ADMIN"; default: Docker's
  # default set), +arch+ (default: native) and +kernel+ ("6.1"; default: the running kernel).
  def convert(input, to:, caps: nil, arch: nil, kernel: nil)
    context = JSON.generate({ "caps" => caps, "arch" => arch, "kernel" => kernel }.compact)
    ptr = Native.sysfence_convert_json(c_string(policy_json(input)), c_string(to), c_string(context))
    raise_last_error if ptr.null?
    JSON.parse(take_string(ptr))
  end

  # The calling thread's seccomp state: { "mode", "filters", "no_new_privs" }.
  def status
    JSON.parse(take_string(Native.sysfence_status_json))
  end

  # One line of the kernel log, /dev/kmsg, audit.log or journald holding a seccomp record, as an
  # ECS document (a Hash: "event" => { "action" => "violated-seccomp-policy" }, "seccomp" =>
  # { "syscall" => { "name" => ... }, "action" => ... }, ...); nil for any other line.
  def parse_audit_line(line)
    ptr = Native.sysfence_parse_audit_line(c_string(line))
    if ptr.null?
      code = Native.sysfence_last_error_code
      raise_last_error(code) unless code.zero?
      return nil
    end
    JSON.parse(take_string(ptr))
  end

  # The text for C: a Hash as JSON; a String (JSON text or a preset name) as it is.
  def policy_json(policy)
    policy.is_a?(String) || policy.nil? ? policy : JSON.generate(policy)
  end

  # A NUL-terminated copy of +text+ for C (nil stays NULL). A NUL byte inside cannot cross a C
  # string, so it is an InvalidArgumentError, as in C.
  def c_string(text)
    return nil if text.nil?
    raise InvalidArgumentError.new("text contains a NUL byte", code: Result::ERR_INVALID_ARGUMENT) if text.include?("\0")

    FFI::MemoryPointer.from_string(text)
  end

  # Raises the last error unless +code+ is 0.
  def check_code(code)
    raise_last_error(code) unless code.zero?
    nil
  end

  # A Ruby String from a char * that sysfence returned, freed here; NULL raises the last error.
  def take_string(ptr)
    raise_last_error if ptr.null?
    ptr.read_string.force_encoding(Encoding::UTF_8)
  ensure
    Native.sysfence_string_free(ptr) unless ptr.nil? || ptr.null?
  end
end
