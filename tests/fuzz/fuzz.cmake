# emu_fuzz_target(<name> SOURCES <files...> LIBS <libs...> [CORPUS <dir>])
#
# With -DEMU_FUZZ=ON (a clang build, see scripts/fuzz.sh) the target is a
# libFuzzer binary with AddressSanitizer. In the normal build it links a
# standalone driver instead and becomes a ctest (label "fuzz") that replays
# the seed corpus and a fixed number of deterministic pseudo-random and
# mutated inputs, so every fuzz target also guards against regressions.
option(EMU_FUZZ "Build libFuzzer targets (needs clang)" OFF)

function(emu_fuzz_target name)
  cmake_parse_arguments(F "" "CORPUS" "SOURCES;LIBS" ${ARGN})
  if(EMU_FUZZ)
    add_executable(${name} ${F_SOURCES})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address -g)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address)
  else()
    add_executable(${name} ${F_SOURCES} ${PROJECT_SOURCE_DIR}/tests/fuzz/standalone_main.cpp)
    set(_corpus "")
    if(F_CORPUS)
      set(_corpus ${F_CORPUS})
    endif()
    add_test(NAME fuzz.${name} COMMAND ${name} ${_corpus})
    set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz TIMEOUT 300)
  endif()
  target_link_libraries(${name} PRIVATE ${F_LIBS})
  emu_target(${name})
endfunction()
