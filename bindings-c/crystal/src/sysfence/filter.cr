# SPDX-License-Identifier: MIT OR Apache-2.0
module Sysfence
  # A compiled filter: export it, simulate syscalls on it, load it. Build it with
  # `Sysfence.compile`. What `#bpf` exports and `#simulate` evaluates is what `#load!` loads.
  class Filter
    # Takes ownership of a `sysfence_filter *`.
    def initialize(@ptr : LibSysfence::Filter)
    end

    def finalize
      LibSysfence.filter_free(@ptr)
    end

    # A precompiled filter (the bytes `sysfence compile --format sfb` or `#to_bytes` wrote),
    # checked, with no libseccomp work. Raises `InvalidArgumentError` saying what is wrong.
    def self.from_bytes(bytes : Bytes) : Filter
      ptr = LibSysfence.filter_from_bytes(bytes.to_unsafe, bytes.size)
      Sysfence.raise_last_error if ptr.null?
      new(ptr)
    end

    # Raw BPF from another tool for *arches* (nil: native), loaded with the seccomp() *flags*
    # given (TSYNC 1, LOG 2, SPEC_ALLOW 4).
    def self.from_raw_bpf(bytes : Bytes, arches : Array(String)? = nil, flags : UInt32 = 1_u32) : Filter
      names = arches ? Sysfence.c_string(arches.join(",")) : Sysfence.c_string(nil)
      ptr = LibSysfence.filter_from_raw_bpf(bytes.to_unsafe, bytes.size, names, flags)
      Sysfence.raise_last_error if ptr.null?
      new(ptr)
    end

    # The precompiled form (sfb) that `Filter.from_bytes` reads.
    def to_bytes : Bytes
      bytes = Pointer(UInt8).null
      len = LibSysfence.filter_compiled(@ptr, pointerof(bytes))
      Sysfence.raise_last_error if len.zero?
      Bytes.new(bytes, len).dup
    end

    # The BPF program as the kernel receives it (`struct sock_filter` records).
    def bpf : Bytes
      bytes = Pointer(UInt8).null
      len = LibSysfence.filter_bpf(@ptr, pointerof(bytes))
      Sysfence.raise_last_error if len.zero?
      Bytes.new(bytes, len).dup
    end

    # libseccomp's pseudo-filter-code, as text.
    def pfc : String
      Sysfence.take_string(LibSysfence.filter_pfc(@ptr))
    end

    # What the filter does with *syscall* and *args* (up to 6) on *arch* (nil: native): the
    # action as text, such as "allow" or "errno:EACCES".
    def simulate(syscall : String, args : Array(UInt64) = [] of UInt64, arch : String? = nil) : String
      Sysfence.take_string(LibSysfence.filter_simulate(@ptr, Sysfence.c_string(arch),
        Sysfence.c_string(syscall), args.to_unsafe, args.size))
    end

    # `#simulate`, and what in the policy gave the verdict (the same object in every
    # language): "syscall", "action", "instructions", "arch", "nr", "decided_by" (a rule's path
    # and action such as "rules[0].syscalls[0] (errno:EACCES)", "default_action", or
    # "bad_arch_action (...)"), and "arguments" (the conditions that decided) when there are
    # any; a socketcall/ipc call adds "multiplexed" and "multiplexed_decided_by".
    def explain(syscall : String, args : Array(UInt64) = [] of UInt64, arch : String? = nil) : JSON::Any
      JSON.parse(Sysfence.take_string(LibSysfence.filter_explain(@ptr, Sysfence.c_string(arch),
        Sysfence.c_string(syscall), args.to_unsafe, args.size)))
    end

    # Loads the filter into this process, all threads. Raises `LoadError` (with `#errno`) when
    # the kernel refuses it; nothing is loaded then.
    def load! : Nil
      code = LibSysfence.filter_load(@ptr)
      return if code.zero?
      # The library's own last error says why, in the same words as every language.
      Sysfence.raise_last_error(code)
    end
  end
end
