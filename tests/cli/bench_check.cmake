# Runs `qplayer bench` and checks what it wrote (cmake -P script). Each MODE is self-contained
# (its own WORK_DIR) so the tests can run in parallel.
# -DQPLAYER=bin -DDATA=dir -DWORK_DIR=dir -DMODE=run|resume|compare|crash|malformed
#   run:       bench DATA: one row per QPS file, the documented columns, all verified,
#              summary.md with the success rate, one solution JSON per problem.
#   resume:    --resume on a finished OUT runs nothing; on a truncated one only the rest.
#   compare:   two runs compared: a table with 1.0 for the best and an SVG profile.
#   crash:     QPLAYER_BENCH_TEST_CRASH / _HANG (test-only hooks): the run goes on and
#              records "crashed (signal 6)" and "timeout".
#   malformed: a file the reader rejects is a row "input_error", one stderr line, exit 2.
set(columns "name,n,m,status,setup_s,solve_s,iterations,primal_residual,dual_residual,duality_gap,objective,reference_objective,objective_match,verified,tolerance,time_limit_s")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
file(GLOB problem_files "${DATA}/*.qps")
list(LENGTH problem_files problem_count)

# Runs qplayer with `arguments` (a list); fails unless it exits with `expect`.
function(bench expect)
  execute_process(COMMAND ${QPLAYER} ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  message(STATUS "qplayer ${ARGN}\n--- exit ${code}\n--- stdout\n${out}--- stderr\n${err}")
  if(NOT code STREQUAL "${expect}")
    message(FATAL_ERROR "exit code ${code}, expected ${expect}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

# Data lines of OUT/results.csv into `rows` (the header is checked on the way).
function(read_rows out_dir)
  file(STRINGS "${out_dir}/results.csv" lines)
  list(POP_FRONT lines header)
  if(NOT header STREQUAL columns)
    message(FATAL_ERROR "results.csv header is\n${header}\nexpected\n${columns}")
  endif()
  set(rows "${lines}" PARENT_SCOPE)
endfunction()

function(expect_row_count out_dir count)
  read_rows("${out_dir}")
  list(LENGTH rows n)
  if(NOT n EQUAL count)
    message(FATAL_ERROR "${out_dir}/results.csv has ${n} rows, expected ${count}")
  endif()
endfunction()

# The row of problem `name` must match `regex`.
function(expect_row out_dir name regex)
  read_rows("${out_dir}")
  foreach(row IN LISTS rows)
    if(row MATCHES "^${name},")
      if(NOT row MATCHES "${regex}")
        message(FATAL_ERROR "row of ${name} does not match [${regex}]: ${row}")
      endif()
      return()
    endif()
  endforeach()
  message(FATAL_ERROR "no row for ${name}")
endfunction()

function(expect_all_verified out_dir)
  read_rows("${out_dir}")
  foreach(row IN LISTS rows)
    # name,n,m,solved, 9 cells (setup_s .. objective_match), verified = yes (CMake regexes
    # have no {9}).
    set(cell "[^,]*,")
    if(NOT row MATCHES
       "^[^,]+,[0-9]+,[0-9]+,solved,${cell}${cell}${cell}${cell}${cell}${cell}${cell}${cell}${cell}yes,1e-09,[0-9.]+$")
      message(FATAL_ERROR "not a verified row: ${row}")
    endif()
  endforeach()
endfunction()

set(out_a "${WORK_DIR}/run_a")
set(quick --time-limit 10)
if(MODE STREQUAL "run")
  bench(0 bench "${DATA}" --out "${out_a}" ${quick})
  expect_row_count("${out_a}" ${problem_count})
  expect_all_verified("${out_a}")
  foreach(path IN LISTS problem_files)
    get_filename_component(name "${path}" NAME_WE)
    expect_row("${out_a}" ${name} ",yes,yes,1e-09,10$")  # objective = manifest reference
    if(NOT EXISTS "${out_a}/solutions/${name}.json")
      message(FATAL_ERROR "no solutions/${name}.json")
    endif()
  endforeach()
  file(READ "${out_a}/summary.md" summary)
  if(NOT summary MATCHES "\\| success rate \\| 100\\.0 % \\(${problem_count}/${problem_count}\\)")
    message(FATAL_ERROR "summary.md has no 100 % success rate:\n${summary}")
  endif()
elseif(MODE STREQUAL "resume")
  bench(0 bench "${DATA}" --out "${out_a}" ${quick})
  bench(0 bench "${DATA}" --out "${out_a}" ${quick} --resume)
  if(NOT out MATCHES "nothing to run")
    message(FATAL_ERROR "--resume on a finished run did not say 'nothing to run'")
  endif()
  expect_row_count("${out_a}" ${problem_count})
  # Drop the last two rows: a resumed run must do exactly those two.
  file(STRINGS "${out_a}/results.csv" lines)
  list(POP_BACK lines)
  list(POP_BACK lines)
  list(JOIN lines "\n" text)
  file(WRITE "${out_a}/results.csv" "${text}\n")
  bench(0 bench "${DATA}" --out "${out_a}" ${quick} --resume)
  string(REGEX MATCHALL "\\[[0-9]+/2\\]" started "${out}")
  list(LENGTH started count)
  if(NOT count EQUAL 2)
    message(FATAL_ERROR "--resume ran ${count} problems, expected 2")
  endif()
  expect_row_count("${out_a}" ${problem_count})
  expect_all_verified("${out_a}")
  # Resuming with other settings would mix two benchmarks: refused.
  bench(2 bench "${DATA}" --out "${out_a}" --accuracy low ${quick} --resume)
elseif(MODE STREQUAL "compare")
  set(out_b "${WORK_DIR}/run_b")
  bench(0 bench "${DATA}" --out "${out_a}" ${quick})
  bench(0 bench "${DATA}" --out "${out_b}" ${quick} --accuracy low)
  bench(0 bench --compare "${out_a}" "${out_b}")
  if(NOT out MATCHES "runtime \\(shm\\) +[0-9.]+ +[0-9.]+\n" OR
     NOT out MATCHES "runtime \\(shm\\)[^\n]* 1\\.0[ \n]")
    message(FATAL_ERROR "no runtime row with 1.0 for the best run")
  endif()
  if(NOT out MATCHES "success rate \\(%\\) +100\\.0 +100\\.0")
    message(FATAL_ERROR "no success-rate row")
  endif()
  file(READ "${WORK_DIR}/profile.svg" svg)  # default: beside the first OUT
  string(REGEX MATCHALL "<polyline" curves "${svg}")
  list(LENGTH curves count)
  if(NOT svg MATCHES "^<svg" OR NOT count EQUAL 2 OR NOT svg MATCHES "run_b</text>")
    message(FATAL_ERROR "profile.svg lacks two curves and a legend")
  endif()
  bench(0 bench --compare "${out_a}" "${out_b}/results.csv" --plot "${WORK_DIR}/p.svg")
  if(NOT EXISTS "${WORK_DIR}/p.svg")
    message(FATAL_ERROR "--plot FILE was not written")
  endif()
  # A "solved" that fails the check: qpbenchmark's runtime mean keeps its own time, the
  # verified one charges the time limit.
  read_rows("${out_a}")
  list(GET rows 0 first)
  string(REGEX REPLACE ",yes,([^,]*),([^,]*)$" ",no,\\1,\\2" false_claim "${first}")
  list(REMOVE_AT rows 0)
  string(REPLACE ";" "\n" rest "${rows}")
  file(WRITE "${WORK_DIR}/false_claim.csv" "${columns}\n${false_claim}\n${rest}\n")
  bench(0 bench --compare "${out_a}" "${WORK_DIR}/false_claim.csv")
  if(NOT out MATCHES "runtime shm \\(s\\) +([0-9.e+-]+) +([0-9.e+-]+)\n")
    message(FATAL_ERROR "no runtime shm row")
  endif()
  set(a "${CMAKE_MATCH_1}")
  set(b "${CMAKE_MATCH_2}")
  if(NOT out MATCHES "runtime, verified shm \\(s\\) +([0-9.e+-]+) +([0-9.e+-]+)\n")
    message(FATAL_ERROR "no verified runtime shm row")
  endif()
  if(NOT CMAKE_MATCH_1 EQUAL a OR NOT CMAKE_MATCH_2 GREATER b)
    message(FATAL_ERROR "verified runtime shm: ${CMAKE_MATCH_1} ${CMAKE_MATCH_2} against "
                        "${a} ${b}: the false claim should count at the time limit")
  endif()
elseif(MODE STREQUAL "crash")
  # eq_qp aborts, lp_vertex hangs and is killed at 1.5 * 0.2 + 5 s.
  execute_process(COMMAND ${CMAKE_COMMAND} -E env QPLAYER_BENCH_TEST_CRASH=eq_qp
                          QPLAYER_BENCH_TEST_HANG=lp_vertex
                          ${QPLAYER} bench "${DATA}" --out "${out_a}" --time-limit 0.2
                  RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "--- exit ${code}\n--- stdout\n${out}--- stderr\n${err}")
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "exit code ${code}, expected 0")
  endif()
  expect_row_count("${out_a}" ${problem_count})
  expect_row("${out_a}" eq_qp "^eq_qp,3,2,crashed \\(signal 6\\),.*,no,1e-09,0.2$")
  expect_row("${out_a}" lp_vertex "^lp_vertex,2,3,timeout,.*,no,1e-09,0.2$")
  expect_row("${out_a}" range_max ",solved,.*,yes,1e-09,0.2$")  # the run went on after both
  file(READ "${out_a}/summary.md" summary)
  if(NOT summary MATCHES "\\| crashed \\| 1 \\| eq_qp \\(signal 6\\) \\|" OR
     NOT summary MATCHES "\\| time limit \\| 1 \\| lp_vertex \\(killed\\) \\|")
    message(FATAL_ERROR "summary.md does not group the failures:\n${summary}")
  endif()
elseif(MODE STREQUAL "malformed")
  file(MAKE_DIRECTORY "${WORK_DIR}/data")
  file(COPY "${DATA}/eq_qp.qps" DESTINATION "${WORK_DIR}/data")
  file(WRITE "${WORK_DIR}/data/malformed.QPS"
       "NAME          MALFORMED\nROWS\n N  obj\n L  c1\nCOLUMNS\n    x1        obj       1.0\n"
       "    x1        c1        notanumber\nRHS\n    rhs       c1        1.0\nENDATA\n")
  bench(2 bench "${WORK_DIR}/data" --out "${out_a}" ${quick})
  if(NOT err MATCHES "^[^\n]*malformed\\.QPS:7:[^\n]*\n$")
    message(FATAL_ERROR "stderr is not one line naming malformed.QPS:7")
  endif()
  expect_row_count("${out_a}" 2)
  expect_row("${out_a}" malformed "^malformed,,,input_error,")
  expect_row("${out_a}" eq_qp ",solved,.*,yes,1e-09,10$")
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()
