# SPDX-License-Identifier: MIT OR Apache-2.0
# The C ABI of libsysfence (bindings-c/include/sysfence.h) as a Crystal `lib`.
# Use the `Sysfence` module (sysfence.cr) instead: it converts values and raises exceptions.
@[Link("sysfence")]
lib LibSysfence
  # `enum sysfence_result` of include/sysfence.h (tests/crystal checks it against the header).
  enum Result : Int32
    OK                   =  0
    ERR_POLICY           = -1
    ERR_COMPILE          = -2
    ERR_LOAD             = -3
    ERR_UNSUPPORTED      = -4
    ERR_INVALID_ARGUMENT = -5
    ERR_IO               = -6
    ERR_INTERNAL         = -7
  end

  # An opaque `sysfence_filter *`.
  type Filter = Void*

  fun version = sysfence_version : LibC::Char*
  fun apply_json = sysfence_apply_json(policy_json : LibC::Char*) : LibC::Int
  fun apply_preset = sysfence_apply_preset(name : LibC::Char*) : LibC::Int
  fun apply_json_mode = sysfence_apply_json_mode(policy_json : LibC::Char*, mode : LibC::Char*) : LibC::Int
  fun apply_preset_mode = sysfence_apply_preset_mode(name : LibC::Char*, mode : LibC::Char*) : LibC::Int
  fun check_json = sysfence_check_json(policy_json : LibC::Char*) : LibC::Char*
  fun status_json = sysfence_status_json : LibC::Char*
  fun convert_json = sysfence_convert_json(input : LibC::Char*, to : LibC::Char*, context_json : LibC::Char*) : LibC::Char*
  fun string_free = sysfence_string_free(s : LibC::Char*) : Void
  fun last_error_code = sysfence_last_error_code : LibC::Int
  fun last_error_message = sysfence_last_error_message : LibC::Char*
  fun last_error_path = sysfence_last_error_path : LibC::Char*
  fun last_error_errno = sysfence_last_error_errno : LibC::Int
  fun compile_json = sysfence_compile_json(policy_json : LibC::Char*) : Filter
  fun filter_load = sysfence_filter_load(filter : Filter) : LibC::Int
  fun filter_bpf = sysfence_filter_bpf(filter : Filter, bytes : UInt8**) : LibC::SizeT
  fun filter_pfc = sysfence_filter_pfc(filter : Filter) : LibC::Char*
  fun filter_simulate = sysfence_filter_simulate(filter : Filter, arch : LibC::Char*, syscall : LibC::Char*,
                                                 args : UInt64*, nargs : LibC::SizeT) : LibC::Char*
  fun filter_explain = sysfence_filter_explain(filter : Filter, arch : LibC::Char*, syscall : LibC::Char*,
                                               args : UInt64*, nargs : LibC::SizeT) : LibC::Char*
  fun filter_free = sysfence_filter_free(filter : Filter) : Void
  fun filter_from_bytes = sysfence_filter_from_bytes(bytes : UInt8*, len : LibC::SizeT) : Filter
  fun filter_from_raw_bpf = sysfence_filter_from_raw_bpf(bytes : UInt8*, len : LibC::SizeT, arches : LibC::Char*,
                                                         flags : UInt32) : Filter
  fun filter_compiled = sysfence_filter_compiled(filter : Filter, bytes : UInt8**) : LibC::SizeT
  fun parse_audit_line = sysfence_parse_audit_line(line : LibC::Char*) : LibC::Char*
end
