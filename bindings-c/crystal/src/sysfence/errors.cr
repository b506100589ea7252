# SPDX-License-Identifier: MIT OR Apache-2.0
module Sysfence
  # Every error sysfence raises. `#code` is the C result code (`SYSFENCE_ERR_*`), `#path` the
  # JSON path of the first policy problem, `#errno` the kernel's errno for load errors.
  class Error < Exception
    getter code : Int32
    getter path : String?
    getter errno : Int32?

    def initialize(message : String, @code : Int32, @path : String? = nil, @errno : Int32? = nil)
      super(message)
    end
  end

  # The policy is invalid; `#path` and the message name the place.
  class PolicyError < Error; end

  # libseccomp could not build the filter.
  class CompileError < Error; end

  # The kernel refused the filter; nothing was loaded. `#errno` says why.
  class LoadError < Error; end

  # The kernel or library lacks a feature the request needs.
  class UnsupportedError < Error; end

  # A wrong argument: a NUL byte, text that is not UTF-8, an unknown syscall name.
  class InvalidArgumentError < Error; end

  # Reading a file or the process's state failed.
  class IOError < Error; end

  # A bug in sysfence.
  class InternalError < Error; end

  # The exception for a C result code: an exhaustive `case ... in` over `LibSysfence::Result`
  # (`enum sysfence_result`), so a new code fails to compile until it has its class. A code
  # the enum does not know (a newer library) is an `InternalError`.
  def self.error_for(code : Int32, message : String, path : String? = nil, errno : Int32? = nil) : Error
    result = LibSysfence::Result.from_value?(code)
    return InternalError.new(message, code, path, errno) if result.nil?
    case result
    in .ok?, .err_internal?    then InternalError.new(message, code, path, errno)
    in .err_policy?           then PolicyError.new(message, code, path, errno)
    in .err_compile?          then CompileError.new(message, code, path, errno)
    in .err_load?             then LoadError.new(message, code, path, errno)
    in .err_unsupported?      then UnsupportedError.new(message, code, path, errno)
    in .err_invalid_argument? then InvalidArgumentError.new(message, code, path, errno)
    in .err_io?               then IOError.new(message, code, path, errno)
    end
  end

  # Raises the calling thread's last error (the one helper every call goes through).
  def self.raise_last_error(code : Int32 = LibSysfence.last_error_code) : NoReturn
    path = LibSysfence.last_error_path
    errno = LibSysfence.last_error_errno
    raise error_for(code, String.new(LibSysfence.last_error_message),
      path.null? ? nil : String.new(path), errno.zero? ? nil : errno)
  end
end
