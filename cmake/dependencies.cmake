# All dependencies are Debian 12 packages; a missing one stops configuration
# with the package to install (scripts/install-deps.sh installs them all).
find_package(PkgConfig)

macro(emu_missing what pkg)
  message(FATAL_ERROR
    "${what} not found: install the Debian package '${pkg}' "
    "(or run scripts/install-deps.sh)")
endmacro()

if(NOT PKG_CONFIG_FOUND)
  emu_missing("pkg-config" "pkg-config")
endif()

find_package(LLVM 19.1 CONFIG QUIET
  HINTS /usr/lib/llvm-19/lib/cmake/llvm /usr/lib/llvm-19)
if(NOT LLVM_FOUND)
  emu_missing("LLVM 19" "llvm-19-dev")
endif()
message(STATUS "LLVM ${LLVM_PACKAGE_VERSION} in ${LLVM_DIR}")

pkg_check_modules(CAPSTONE QUIET IMPORTED_TARGET capstone)
if(NOT CAPSTONE_FOUND)
  emu_missing("Capstone" "libcapstone-dev")
endif()

find_path(XBYAK_INCLUDE_DIR xbyak/xbyak.h)
if(NOT XBYAK_INCLUDE_DIR)
  emu_missing("Xbyak" "libxbyak-dev")
endif()

find_package(ZLIB QUIET)
if(NOT ZLIB_FOUND)
  emu_missing("zlib" "zlib1g-dev")
endif()

pkg_check_modules(ZSTD QUIET IMPORTED_TARGET libzstd)
if(NOT ZSTD_FOUND)
  emu_missing("zstd" "libzstd-dev")
endif()

find_package(Boost 1.74 QUIET COMPONENTS program_options)
if(NOT Boost_FOUND)
  emu_missing("Boost program_options" "libboost-program-options-dev")
endif()

find_path(FDT_INCLUDE_DIR libfdt.h)
find_library(FDT_LIBRARY fdt)
if(NOT FDT_INCLUDE_DIR OR NOT FDT_LIBRARY)
  emu_missing("libfdt" "libfdt-dev")
endif()
add_library(emu_fdt INTERFACE)
target_include_directories(emu_fdt INTERFACE ${FDT_INCLUDE_DIR})
target_link_libraries(emu_fdt INTERFACE ${FDT_LIBRARY})

pkg_check_modules(SLIRP QUIET IMPORTED_TARGET slirp)
if(NOT SLIRP_FOUND)
  emu_missing("libslirp" "libslirp-dev")
endif()

if(EMU_BUILD_TESTS)
  find_package(Catch2 QUIET)
  if(NOT Catch2_FOUND)
    emu_missing("Catch2" "catch2")
  endif()
endif()

find_package(Threads REQUIRED)
