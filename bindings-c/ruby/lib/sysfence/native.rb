# frozen_string_literal: true
# SPDX-License-Identifier: MIT OR Apache-2.0

require "ffi"

module Sysfence
  # The C ABI of libsysfence (bindings-c/include/sysfence.h), one attach_function per entry
  # point. Use the Sysfence module functions instead: they convert values and raise errors.
  module Native
    extend FFI::Library

    # SYSFENCE_LIB names the library file; otherwise the gem's own copy next to this file, or
    # (outside a gem) the dynamic loader finds libsysfence.so.
    BUNDLED_LIB = File.expand_path("libsysfence.so", __dir__)
    ffi_lib ENV.fetch("SYSFENCE_LIB") { File.exist?(BUNDLED_LIB) ? BUNDLED_LIB : "sysfence" }

    attach_function :sysfence_version, [], :string
    attach_function :sysfence_apply_json, [:pointer], :int
    attach_function :sysfence_apply_preset, [:pointer], :int
    attach_function :sysfence_apply_json_mode, %i[pointer pointer], :int
    attach_function :sysfence_apply_preset_mode, %i[pointer pointer], :int
    attach_function :sysfence_check_json, [:pointer], :pointer
    attach_function :sysfence_convert_json, [:pointer, :pointer, :pointer], :pointer
    attach_function :sysfence_status_json, [], :pointer
    attach_function :sysfence_string_free, [:pointer], :void
    attach_function :sysfence_last_error_code, [], :int
    attach_function :sysfence_last_error_message, [], :string
    attach_function :sysfence_last_error_path, [], :string
    attach_function :sysfence_last_error_errno, [], :int
    attach_function :sysfence_compile_json, [:pointer], :pointer
    attach_function :sysfence_filter_load, [:pointer], :int
    attach_function :sysfence_filter_bpf, %i[pointer pointer], :size_t
    attach_function :sysfence_filter_pfc, [:pointer], :pointer
    attach_function :sysfence_filter_simulate, %i[pointer pointer pointer pointer size_t], :pointer
    attach_function :sysfence_filter_explain, %i[pointer pointer pointer pointer size_t], :pointer
    attach_function :sysfence_filter_free, [:pointer], :void
    attach_function :sysfence_filter_from_bytes, %i[pointer size_t], :pointer
    attach_function :sysfence_filter_from_raw_bpf, %i[pointer size_t pointer uint32], :pointer
    attach_function :sysfence_filter_compiled, %i[pointer pointer], :size_t
    attach_function :sysfence_parse_audit_line, [:pointer], :pointer
  end
end
