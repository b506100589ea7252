# frozen_string_literal: true

module Sysfence
  # A compiled filter: export it, simulate syscalls on it, load it. Build it with
  # Sysfence.compile. What #bpf exports and #simulate evaluates is what #load! loads.
  class Filter
    # Takes ownership of a sysfence_filter pointer.
    def initialize(pointer)
      @ptr = FFI::AutoPointer.new(pointer, Native.method(:sysfence_filter_free))
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
      values = FFI::MemoryPointer.new(:uint64, [args.size, 1].max)
      values.write_array_of_uint64(args) unless args.empty?
      Sysfence.take_string(
        Native.sysfence_filter_simulate(@ptr, Sysfence.c_string(arch), Sysfence.c_string(syscall),
                                        values, args.size)
      )
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
