# frozen_string_literal: true
# SPDX-License-Identifier: MIT OR Apache-2.0

require_relative "helper"
require "socket"

# Sysfence.parse_audit_line over the shared audit fixtures (tests/fixtures/audit/cases.json).
class TestAudit < Minitest::Test
  CASES = File.expand_path("../fixtures/audit/cases.json", __dir__)

  def test_every_fixture_case
    cases = JSON.parse(File.read(CASES))["cases"]
    assert_operator cases.size, :>=, 30
    cases.each do |c|
      if c["line"].include?("\0")
        # A NUL cannot cross a C string: refused before the library sees it.
        assert_raises(Sysfence::InvalidArgumentError, c["name"]) { Sysfence.parse_audit_line(c["line"]) }
        next
      end
      doc = Sysfence.parse_audit_line(c["line"])
      if c["expect"].nil?
        assert_nil doc, c["name"]
        next
      end
      refute_nil doc, c["name"]
      c["expect"].each do |path, want|
        # "test-host" in the fixtures stands for this machine's name.
        want = Socket.gethostname if want == "test-host"
        assert_equal want, doc.dig(*path.split(".")), "#{c['name']}: #{path}"
      end
      (c["absent"] || []).each { |path| assert_nil doc.dig(*path.split(".")), "#{c['name']}: #{path}" }
    end
  end

  def test_invalid_utf8_is_an_invalid_argument
    assert_raises(Sysfence::InvalidArgumentError) { Sysfence.parse_audit_line("type=1326 \xff".b) }
  end
end
