# dwh_add_module(<name> [PUBLIC deps...] [PRIVATE deps...])
# One static library per module: dwh_<name> (alias dwh::<name>) from src/**/*.cpp, its public
# headers under include/dwh/<name>/, its private ones under src/. The dwh:: targets a module
# links directly are the only dwh headers it may include: tests/tools/check_module_deps.py
# (ctest ModuleDependencies) reads these calls and fails on any other include.
function(dwh_add_module name)
  cmake_parse_arguments(M "" "" "PUBLIC;PRIVATE" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/*.cpp)
  add_library(dwh_${name} STATIC ${sources})
  add_library(dwh::${name} ALIAS dwh_${name})
  target_include_directories(dwh_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                             PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(dwh_${name} PUBLIC ${M_PUBLIC} PRIVATE dwh_warnings ${M_PRIVATE})
endfunction()
