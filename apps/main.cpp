// Entry point of the `qplayer` tool: a CLI11 app with one subcommand per job (solve, bench);
// parse errors become a single stderr line and exit code 2.
#include "bench_command.hpp"
#include "problem_run.hpp"
#include "qplayer/version.hpp"
#include "solve_command.hpp"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <string>

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitInternal = 1;

}  // namespace

int main(int argc, char** argv) {
  using namespace qplayer::cli;

  CLI::App app{"qplayer: a convex quadratic programming solver", "qplayer"};
  app.set_version_flag("--version", QPLAYER_VERSION_STRING);
  app.require_subcommand(1);

  // Each subcommand owns its options; a new one is one more pair of lines here.
  SolveOptions solve_options;
  CLI::App* solve = add_solve_command(app, solve_options);
  BenchOptions bench_options;
  CLI::App* bench = add_bench_command(app, bench_options);

  // CLI11 would report an unknown first word only as "A subcommand is required"; name it.
  if (argc > 1 && argv[1][0] != '-') {
    const std::string word = argv[1];
    const auto known =
        app.get_subcommands([&word](CLI::App* sub) { return sub->check_name(word); });
    if (known.empty()) {
      std::cerr << "qplayer: error: unknown command '" << word << "' (run qplayer --help)"
                << std::endl;
      return kExitUsage;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version: printed on stdout, exit 0
  } catch (const CLI::ParseError& e) {
    // CLI11's own exit() adds a second "Run with --help" line; the contract is one line.
    std::cerr << "qplayer: error: " << one_line(e.what()) << std::endl;
    return kExitUsage;
  }

  try {
    if (solve->parsed()) return run_solve(solve_options);
    if (bench->parsed()) return run_bench(bench_options);
  } catch (const std::exception& e) {
    std::cerr << "qplayer: internal error: " << one_line(e.what()) << std::endl;
    return kExitInternal;
  }
  return kExitUsage;
}
