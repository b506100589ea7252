# SPDX-License-Identifier: MIT OR Apache-2.0
require "spec"
require "../../../bindings-c/crystal/src/sysfence"

# Runs the block in a forked child (filters are never loaded into the spec runner) and returns
# its exit status, or minus the signal that killed it. An exception in the child is 200.
def in_child(&block : -> Int32) : Int32
  process = Process.fork do
    code = begin
      block.call
    rescue ex
      STDERR.puts "child: #{ex.class}: #{ex.message}"
      200
    end
    LibC._exit(code)
  end
  status = process.wait
  status.normal_exit? ? status.exit_code : -status.exit_signal.value
end

# Runs /bin/true in place of this process: on success the child exits 0, otherwise the errno.
def exec_true : Int32
  argv = ["true".to_unsafe, Pointer(UInt8).null]
  LibC.execvp("/bin/true", argv.to_unsafe)
  Errno.value.value
end

# socket(AF_UNIX) must work; returns the errno of socket(AF_INET), or 0.
def sockets : Int32
  fd = LibC.socket(LibC::AF_UNIX, LibC::SOCK_STREAM, 0)
  return 110 if fd < 0
  LibC.close(fd)
  fd = LibC.socket(LibC::AF_INET, LibC::SOCK_STREAM, 0)
  return Errno.value.value if fd < 0
  LibC.close(fd)
  0
end
