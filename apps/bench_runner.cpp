// fork() per problem: the child does all the work and reports through a pipe; the parent only
// waits (with a deadline), kills, and turns what it saw into a row.
#include "bench_runner.hpp"

#include "json_output.hpp"
#include "problem_run.hpp"
#include "qplayer/residuals.hpp"
#include "qplayer/status.hpp"

#include <nlohmann/json.hpp>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace qplayer::cli {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

bool test_hook(const char* variable, const std::string& name) {
  const char* value = std::getenv(variable);
  return value != nullptr && name == value;
}

// Best effort: a short write to a pipe of a few hundred bytes does not happen in practice,
// and a lost record shows up as "crashed (exit 0)", never as a wrong result.
void send(int fd, const nlohmann::json& event) {
  const std::string line = event.dump() + "\n";
  std::size_t written = 0;
  while (written < line.size()) {
    const ssize_t k = ::write(fd, line.data() + written, line.size() - written);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return;
    written += static_cast<std::size_t>(k);
  }
}

bool all_finite(const Vector& v) { return v.size() == 0 || v.allFinite(); }

// The benchmark's check, from the file's data. A point of the wrong size or with a NaN gets
// infinite residuals: compute_residuals takes maxima, and max() silently drops a NaN.
Residuals verify(const Problem& problem, const Result& result) {
  Residuals r;
  r.primal = r.dual = r.gap = kInfinity;
  const bool sizes = result.x.size() == problem.n() && result.y.size() == problem.n_eq() &&
                     result.z.size() == problem.n_in() &&
                     (result.z_box.size() == 0 || result.z_box.size() == problem.n());
  if (!sizes || !all_finite(result.x) || !all_finite(result.y) || !all_finite(result.z) ||
      !all_finite(result.z_box))
    return r;
  return compute_residuals(problem, result.x, result.y, result.z, result.z_box);
}

void apply_limits(const RunnerConfig& config) {
  // A crash among 138 problems should not leave a core file of several GB behind.
  const rlimit no_core{0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  if (config.memory_limit_gb > 0.0) {
    const auto bytes = static_cast<rlim_t>(config.memory_limit_gb * 1024.0 * 1024.0 * 1024.0);
    const rlimit memory{bytes, bytes};
    setrlimit(RLIMIT_AS, &memory);
  }
}

[[noreturn]] void child_main(int fd, const std::string& path, const std::string& name,
                             const RunnerConfig& config) {
  apply_limits(config);
  nlohmann::json done = {{"event", "done"}};
  try {
    const Problem problem = load_problem(path);
    send(fd, {{"event", "loaded"}, {"n", problem.n()}, {"m", problem.n_eq() + problem.n_in()}});
    if (test_hook("QPLAYER_BENCH_TEST_CRASH", name)) std::abort();
    if (test_hook("QPLAYER_BENCH_TEST_HANG", name))
      for (;;) ::pause();
    const Result result = solve_problem(problem, config.settings, path);
    const Residuals r = verify(problem, result);
    const Info& info = result.info;
    done["status"] = to_string(info.status);
    done["setup_s"] = info.setup_time;
    done["solve_s"] = info.solve_time;
    done["iterations"] = info.inner_iterations;
    done["primal_residual"] = r.primal;  // infinity becomes null: read back as "no value"
    done["dual_residual"] = r.dual;
    done["duality_gap"] = r.gap;
    done["objective"] = file_objective(problem, info.objective);
    write_json(config.solutions_dir + "/" + name + ".json", solution_json(path, problem, result));
  } catch (const InputError& e) {
    done["status"] = "input_error";
    done["message"] = e.what();
  } catch (const SettingsError& e) {
    done["status"] = "settings_error";
    done["message"] = e.what();
  } catch (const std::bad_alloc&) {
    done["status"] = "out_of_memory";
  } catch (const std::exception& e) {
    done["status"] = "error";
    done["message"] = path + ": " + one_line(e.what());
  }
  send(fd, done);
  ::close(fd);
  // _exit: no atexit handlers or stdio flushes of buffers inherited from the parent.
  ::_exit(0);
}

double number_or_nan(const nlohmann::json& event, const char* key) {
  const auto it = event.find(key);
  return it != event.end() && it->is_number() ? it->get<double>() : BenchRow::kNaN;
}

// Folds the child's events into the row; returns whether a "done" event arrived.
bool read_events(const std::string& text, RunOutcome& outcome) {
  std::istringstream lines(text);
  std::string line;
  bool done = false;
  while (std::getline(lines, line)) {
    const auto event = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!event.is_object()) continue;  // a torn last line of a killed child
    BenchRow& row = outcome.row;
    if (event.value("event", "") == "loaded") {
      row.n = event.value("n", -1);
      row.m = event.value("m", -1);
    } else if (event.value("event", "") == "done") {
      done = true;
      row.status = event.value("status", "error");
      outcome.message = event.value("message", "");
      outcome.settings_rejected = row.status == "settings_error";
      const double setup = number_or_nan(event, "setup_s");
      const double solve = number_or_nan(event, "solve_s");
      row.setup_s = std::isnan(setup) ? 0.0 : setup;
      row.solve_s = std::isnan(solve) ? 0.0 : solve;
      row.iterations = event.value("iterations", 0);
      row.primal_residual = number_or_nan(event, "primal_residual");
      row.dual_residual = number_or_nan(event, "dual_residual");
      row.duality_gap = number_or_nan(event, "duality_gap");
      row.objective = number_or_nan(event, "objective");
    }
  }
  return done;
}

}  // namespace

ProblemRunner::ProblemRunner(RunnerConfig config) : config_(std::move(config)) {}

RunOutcome ProblemRunner::run(const std::string& path, const std::string& name,
                              const std::function<void()>& tick) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  std::cout.flush();  // else the child's copy of a pending buffer could be written twice
  std::cerr.flush();
  const auto start = Clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    child_main(fds[1], path, name, config_);
  }
  ::close(fds[1]);

  // Read until the child closes its end (it exited or died) or the deadline passes.
  std::string received;
  bool killed = false;
  const auto seconds_since_start = [&start] {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  for (;;) {
    const double left = config_.kill_after_s - seconds_since_start();
    if (left <= 0.0) {
      ::kill(pid, SIGKILL);
      killed = true;
      break;
    }
    pollfd watch{fds[0], POLLIN, 0};
    const int wait_ms = static_cast<int>(std::ceil(std::min(left, 1.0) * 1000.0));
    const int ready = ::poll(&watch, 1, wait_ms);
    if (ready < 0 && errno != EINTR) break;
    if (ready > 0) {
      char buffer[4096];
      const ssize_t k = ::read(fds[0], buffer, sizeof buffer);
      if (k == 0 || (k < 0 && errno != EINTR && errno != EAGAIN)) break;  // EOF: child gone
      if (k > 0) received.append(buffer, static_cast<std::size_t>(k));
    }
    if (tick) tick();
  }
  ::close(fds[0]);
  int wait_status = 0;
  while (::waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  const double wall_s = seconds_since_start();

  RunOutcome outcome;
  BenchRow& row = outcome.row;
  row.name = name;
  row.tolerance = config_.tolerance;
  row.time_limit_s = config_.time_limit_s;
  const bool done = read_events(received, outcome);
  if (killed) {
    row.status = "timeout";
  } else if (WIFSIGNALED(wait_status)) {
    row.status = "crashed (signal " + std::to_string(WTERMSIG(wait_status)) + ")";
  } else if (!done || WEXITSTATUS(wait_status) != 0) {
    row.status = "crashed (exit " + std::to_string(WEXITSTATUS(wait_status)) + ")";
  }
  if (!done || killed) {
    row.setup_s = 0.0;
    row.solve_s = wall_s;  // informational: failures are counted at the limit anyway
  }
  // qpbenchmark's test is strict: a residual equal to the tolerance fails.
  const double tol = config_.tolerance;
  row.verified =
      row.found() && row.primal_residual < tol && row.dual_residual < tol && row.duality_gap < tol;
  return outcome;
}

}  // namespace qplayer::cli
