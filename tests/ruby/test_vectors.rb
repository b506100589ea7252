# frozen_string_literal: true
# SPDX-License-Identifier: MIT OR Apache-2.0

require_relative "helper"

# Every case in tests/vectors/ (format in tests/vectors/README.md), through the Ruby wrapper.
class TestVectors < Minitest::Test
  DIR = File.expand_path("../vectors", __dir__)

  def cases
    Dir[File.join(DIR, "*.json")].sort.map { |f| [File.basename(f), JSON.parse(File.read(f))] }
  end

  def test_there_are_vectors
    assert_operator cases.size, :>=, 10
  end

  # [[path, kind]] of a vector's "errors" or "warnings", or of report diagnostics.
  def pairs(list)
    list.map { |d| [d["path"], d["kind"]] }
  end

  def test_every_vector
    cases.each do |name, c|
      # A String is a policy argument (JSON text or a preset name); a Hash a policy value.
      policy = c["argument"] || c["policy_text"] || c["policy"]
      report = Sysfence.check(policy)
      diags = report["diagnostics"]
      errors = diags.select { |d| d["severity"] == "error" }
      assert_equal errors.empty?, report["ok"], name
      assert_equal [errors.size, diags.size - errors.size], [report["errors"], report["warnings"]], name
      if c.key?("errors")
        assert_equal pairs(c["errors"]), pairs(errors), name
        (c["suggestions"] || {}).each do |path, suggestion|
          assert_equal suggestion, errors.find { |d| d["path"] == path }["suggestion"], "#{name}: #{path}"
        end
        e = assert_raises(Sysfence::PolicyError, name) { Sysfence.compile(policy) }
        assert_equal c["errors"][0]["path"], e.path, name
        next
      end
      assert_equal pairs(c["warnings"]), pairs(diags), name
      filter = Sysfence.compile(policy)
      (c["simulate"] || []).each do |s|
        assert_equal s["action"], filter.simulate(s["syscall"], s["args"] || [], arch: s["arch"]),
                     "#{name}: #{s}"
        next unless s["decided_by"]

        e = filter.explain(s["syscall"], s["args"] || [], arch: s["arch"])
        assert_equal [s["action"], s["decided_by"]], [e["action"], e["decided_by"]], "#{name}: #{s}"
      end
    end
  end
end
