# frozen_string_literal: true
# SPDX-License-Identifier: MIT OR Apache-2.0

module Sysfence
  # A compiled filter: export it, simulate syscalls on it, load it. Build it with
  # Sysfence.compile. What #bpf exports and #simulate evaluates is what #load! loads.
  class Filter
    # Takes ownership of a sysfence_filter pointer.
    def initialize(pointer)
      @ptr = FFI::AutoPointer.new(pointer, Native.method(:sysfence_filter_free))
    end

    # A precompiled filter (the bytes `sysfence compile --format sfb` or #to_bytes wrote),
    # checked, with no libseccomp work. Raises InvalidArgumentError saying what is wrong.
    def self.from_bytes(bytes)
      buf = Filter.buffer(bytes)
      ptr = Native.sysfence_filter_from_bytes(buf, bytes.bytesize)
      Sysfence.raise_last_error if ptr.null?
      new(ptr)
    end

    # Raw BPF from another tool for +arches+ (names; nil: native), loaded with the seccomp()
    # +flags+ given (TSYNC 1, LOG 2, SPEC_ALLOW 4).
    def self.from_raw_bpf(bytes, arches: nil, flags: 1)
      buf = Filter.buffer(bytes)
      names = arches && Sysfence.c_string(arches.join(","))
      ptr = Native.sysfence_filter_from_raw_bpf(buf, bytes.bytesize, names, flags)
      Sysfence.raise_last_error if ptr.null?
      new(ptr)
    end

    # The bytes of +bytes+ in native memory (NUL bytes included).
    def self.buffer(bytes)
      buf = FFI::MemoryPointer.new(:uint8, [bytes.bytesize, 1].max)
      buf.put_bytes(0, bytes.b)
      buf
    end

    # Syscall arguments (integers) as uint64_t values in native memory.
    def self.values(args)
      values = FFI::MemoryPointer.new(:uint64, [args.size, 1].max)
      values.write_array_of_uint64(args) unless args.empty?
      values
    end

    # The precompiled form (sfb) that Filter.from_bytes reads, binary.
    def to_bytes
      out = FFI::MemoryPointer.new(:pointer)
      len = Native.sysfence_filter_compiled(@ptr, out)
      Sysfence.raise_last_error if len.zero?
      out.read_pointer.read_bytes(len)
    end

    # The BPF program as the kernel receives it (struct sock_filter records), binary.
    def bpf
      out = FFI::MemoryPointer.new(:pointer)
      len = Native.sysfence_filter_bpf(@ptr, out)
      Sysfence.raise_last_error if len.zero?
      out.read_pointer.read_bytes(len)
    end

    # libseccomp's pseudo-filter-code, as text.
    def pfc
      Sysfence.take_string(Native.sysfence_filter_pfc(@ptr))
    end

    # What the filter does with +syscall+ (a name) and +args+ (up to 6 integers) on +arch+
    # (nil: native): the action as text, such as "allow" or "errno:EACCES".
    def simulate(syscall, args = [], arch: nil)
      Sysfence.take_string(
        Native.sysfence_filter_simulate(@ptr, Sysfence.c_string(arch), Sysfence.c_string(syscall),
                                        Filter.values(args), args.size)
      )
    end

    # #simulate, and what in the policy gave the verdict, as a Hash (the same object in every
    # language): "syscall", "action", "instructions", "arch", "nr", "decided_by" (a rule's path
    # and action such as "rules[0].syscalls[0] (errno:EACCES)", "default_action", or
    # "bad_arch_action (...)"), and "arguments" (the conditions that decided) when there are
    # any; a socketcall/ipc call adds "multiplexed" and "multiplexed_decided_by".
    def explain(syscall, args = [], arch: nil)
      ptr = Native.sysfence_filter_explain(@ptr, Sysfence.c_string(arch), Sysfence.c_string(syscall),
                                           Filter.values(args), args.size)
      JSON.parse(Sysfence.take_string(ptr))
    end

    # Loads the filter into this process, all threads. Raises LoadError (with #errno) when the
    # kernel refuses it; nothing is loaded then.
    def load!
      code = Native.sysfence_filter_load(@ptr)
      return nil if code.zero?

      # The library's own last error says why, in the same words as every language.
      Sysfence.raise_last_error(code)
    end
  end
end
