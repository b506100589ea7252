# frozen_string_literal: true

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

  def test_every_vector
    cases.each do |name, c|
      text = c.key?("policy_text") ? c["policy_text"] : JSON.generate(c["policy"])
      diags = Sysfence.check(text)["diagnostics"]
      errors = diags.select { |d| d["severity"] == "error" }.map { |d| d["path"] }.uniq.sort
      if c.key?("errors")
        assert_equal c["errors"].sort, errors, name
        e = assert_raises(Sysfence::PolicyError, name) { Sysfence.compile(text) }
        assert_includes c["errors"], e.path, name
        (c["error_contains"] || {}).each do |path, needle|
          assert diags.any? { |d| d["path"] == path && d["message"].include?(needle) },
                 "#{name}: #{path} should mention #{needle}"
        end
        next
      end
      assert_empty errors, name
      (c["warnings"] || []).each do |w|
        assert_includes diags.map { |d| d["path"] }, w, name
      end
      filter = Sysfence.compile(text)
      (c["simulate"] || []).each do |s|
        assert_equal s["action"], filter.simulate(s["syscall"], s["args"] || [], arch: s["arch"]),
                     "#{name}: #{s}"
      end
    end
  end
end
