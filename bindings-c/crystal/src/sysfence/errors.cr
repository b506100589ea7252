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

  # The exception for a C result code.
  def self.error_for(code : Int32, message : String, path : String? = nil, errno : Int32? = nil) : Error
    case code
    when -1 then PolicyError.new(message, code, path, errno)
    when -2 then CompileError.new(message, code, path, errno)
    when -3 then LoadError.new(message, code, path, errno)
    when -4 then UnsupportedError.new(message, code, path, errno)
    when -5 then InvalidArgumentError.new(message, code, path, errno)
    when -6 then IOError.new(message, code, path, errno)
    else         InternalError.new(message, code, path, errno)
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
