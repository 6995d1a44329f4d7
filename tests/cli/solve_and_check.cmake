# Solves one QPS file with --json and hands the JSON to the independent checker (cmake -P).
# -DQPLAYER -DCHECKER -DQPS -DWORK_DIR -DREF -DN -DM_EQ -DM_INEQ [-DEXTRA_ARGS=a|b]
# [-DGZIP=ON: solve a gzip copy]  [-DPERTURB=ON: the checker must REJECT a perturbed x]
get_filename_component(name "${QPS}" NAME)
file(MAKE_DIRECTORY "${WORK_DIR}")
set(input "${QPS}")
if(GZIP)
  # A raw (tar-less) gzip stream, i.e. what `gzip -k FILE` would write.
  set(input "${WORK_DIR}/${name}.gz")
  file(ARCHIVE_CREATE OUTPUT "${input}" PATHS "${QPS}" FORMAT raw COMPRESSION GZip)
endif()
set(json "${WORK_DIR}/${name}.json")
file(REMOVE "${json}")
string(REPLACE "|" ";" extra "${EXTRA_ARGS}")

execute_process(COMMAND ${QPLAYER} solve "${input}" --json "${json}" ${extra}
                RESULT_VARIABLE exit_code OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "qplayer solve ${input}\n${out}${err}")
if(NOT exit_code EQUAL 0)
  message(FATAL_ERROR "qplayer exited with ${exit_code}")
endif()
if(NOT EXISTS "${json}")
  message(FATAL_ERROR "qplayer wrote no ${json}")
endif()

if(PERTURB)
  # Guards against a checker that accepts anything: change the 7th decimal of x[0] by 5
  # (a move of 4e-7 to 6e-7, far above the 1e-8 tolerances) and expect a rejection.
  file(READ "${json}" document)
  string(JSON x0 GET "${document}" x 0)
  if(x0 MATCHES "^(-?[0-9]+)(\\.([0-9]*))?$")
    set(fraction "${CMAKE_MATCH_3}0000000")
    string(SUBSTRING "${fraction}" 0 6 head)
    string(SUBSTRING "${fraction}" 6 1 digit)
    math(EXPR digit "(${digit} + 5) % 10")
    set(x0_moved "${CMAKE_MATCH_1}.${head}${digit}")
  else()  # exponent form, i.e. tiny or huge: any visible change will do
    set(x0_moved "0.5")
  endif()
  message(STATUS "perturbing x[0]: ${x0} -> ${x0_moved}")
  string(JSON document SET "${document}" x 0 "${x0_moved}")
  set(json "${WORK_DIR}/${name}.perturbed.json")
  file(WRITE "${json}" "${document}")
endif()

execute_process(COMMAND ${CHECKER} "${input}" "${json}" ${REF} ${N} ${M_EQ} ${M_INEQ}
                RESULT_VARIABLE check_code OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "check_json: ${out}${err}")
if(PERTURB)
  if(check_code EQUAL 0)
    message(FATAL_ERROR "the checker accepted a perturbed solution")
  endif()
elseif(NOT check_code EQUAL 0)
  message(FATAL_ERROR "the checker rejected the solution (exit ${check_code})")
endif()
