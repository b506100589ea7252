# SPDX-License-Identifier: MIT OR Apache-2.0
require "./spec_helper"
require "file_utils"

ROOT = File.expand_path("../../..", __DIR__)

describe "docs/crystal.md" do
  it "has an example that prints what its comments say" do
    docs = File.read(File.join(ROOT, "docs/crystal.md"))
    example = docs.match(/```crystal\n(.*?)```/m).not_nil![1]
    expected = example.scan(/# => ([^\n]*)/).map(&.[1].strip)
    (expected.size >= 6).should be_true
    dir = File.tempname("sysfence-docs")
    Dir.mkdir(dir)
    begin
      File.write(File.join(dir, "example.cr"), example)
      crystal_path = "#{ROOT}/bindings-c/crystal/src:#{`crystal env CRYSTAL_PATH`.strip}"
      env = {"CRYSTAL_PATH" => crystal_path}
      link = ENV.fetch("SYSFENCE_LINK_FLAGS", "")
      build = Process.run("crystal", ["build", "example.cr", "-o", "example", "--link-flags", link],
        env: env, chdir: dir, output: STDOUT, error: STDERR)
      build.success?.should be_true
      # A subprocess: the example filters its own process.
      output = IO::Memory.new
      run = Process.run(File.join(dir, "example"), output: output, error: STDERR)
      run.success?.should be_true
      output.to_s.lines.should eq expected
    ensure
      FileUtils.rm_rf(dir)
    end
  end
end
