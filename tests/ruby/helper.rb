# frozen_string_literal: true
# SPDX-License-Identifier: MIT OR Apache-2.0

require "minitest/autorun"
require "sysfence"

# Runs the block in a forked child (filters are never loaded into the test runner) and returns
# its exit status. The block returns an Integer; an exception is 200. exit! skips at_exit, so
# the child never runs minitest again.
module ChildProcess
  def in_child
    pid = Process.fork do
      code = begin
        yield
      rescue Exception => e # rubocop:disable Lint/RescueException
        warn "child: #{e.class}: #{e.message}"
        200
      end
      exit!(code)
    end
    _, status = Process.wait2(pid)
    status.exited? ? status.exitstatus : -status.termsig
  end

  # Runs /bin/true in place of this process: on success the child exits 0, otherwise the errno.
  def exec_true
    exec(["/bin/true", "true"])
  rescue SystemCallError => e
    e.errno
  end
end
