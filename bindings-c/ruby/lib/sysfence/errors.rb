# frozen_string_literal: true
# SPDX-License-Identifier: MIT OR Apache-2.0

module Sysfence
  # Every error sysfence raises. #code is the C result code (SYSFENCE_ERR_*), #path the JSON
  # path of the first policy problem (policy errors), #errno the kernel's errno (load errors).
  class Error < StandardError
    attr_reader :code, :path, :errno

    def initialize(message = nil, code: nil, path: nil, errno: nil)
      super(message)
      @code = code
      @path = path
      @errno = errno
    end
  end

  # The policy is invalid; #path and the message name the place.
  class PolicyError < Error; end
  # libseccomp could not build the filter.
  class CompileError < Error; end
  # The kernel refused the filter; nothing was loaded. #errno says why.
  class LoadError < Error; end
  # The kernel or library lacks a feature the request needs.
  class UnsupportedError < Error; end
  # A wrong argument: nil, a NUL byte, text that is not UTF-8, an unknown syscall name.
  class InvalidArgumentError < Error; end
  # Reading a file or the process's state failed.
  class IOError < Error; end
  # A bug in sysfence.
  class InternalError < Error; end

  # The C result codes, by their names in include/sysfence.h (`enum sysfence_result`);
  # tests/ruby checks every name and value against the header.
  module Result
    OK = 0
    ERR_POLICY = -1
    ERR_COMPILE = -2
    ERR_LOAD = -3
    ERR_UNSUPPORTED = -4
    ERR_INVALID_ARGUMENT = -5
    ERR_IO = -6
    ERR_INTERNAL = -7
  end

  # The exception class for each C result code.
  ERRORS = {
    Result::ERR_POLICY => PolicyError,
    Result::ERR_COMPILE => CompileError,
    Result::ERR_LOAD => LoadError,
    Result::ERR_UNSUPPORTED => UnsupportedError,
    Result::ERR_INVALID_ARGUMENT => InvalidArgumentError,
    Result::ERR_IO => IOError,
    Result::ERR_INTERNAL => InternalError
  }.freeze

  # Raises the calling thread's last error (the one helper every call goes through).
  def self.raise_last_error(code = Native.sysfence_last_error_code)
    errno = Native.sysfence_last_error_errno
    raise ERRORS.fetch(code, InternalError).new(
      Native.sysfence_last_error_message.dup.force_encoding(Encoding::UTF_8),
      code: code, path: Native.sysfence_last_error_path, errno: errno.zero? ? nil : errno
    )
  end
end
