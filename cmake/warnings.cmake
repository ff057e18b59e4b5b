add_library(emu_warnings INTERFACE)
target_compile_options(emu_warnings INTERFACE
  -Wall -Wextra -Wno-unused-parameter -Wimplicit-fallthrough
  $<$<COMPILE_LANGUAGE:CXX>:-Wnon-virtual-dtor>)
if(EMU_WERROR)
  target_compile_options(emu_warnings INTERFACE -Werror)
endif()

# Every emu target links this to get the project's warning set.
function(emu_target name)
  target_link_libraries(${name} PRIVATE emu_warnings)
endfunction()
