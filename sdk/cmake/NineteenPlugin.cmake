# nineteen_add_plugin(<name> SOURCES <files...> [LINK <targets...>] [OUTPUT_DIRECTORY <dir>])
# Builds nineteen_plugin_<name>.so: a module with hidden visibility whose only exported symbol is
# the plugin entry (enforced by a linker version script). The host finds it by that file name.
include_guard(GLOBAL)

function(nineteen_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES;LINK" ${ARGN})
  set(target nineteen_plugin_${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME nineteen_plugin_${name}
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  elseif(DEFINED NINETEEN_PLUGIN_OUTPUT_DIR)
    # A plugin shipped with the project: built beside the others and installed where `nineteen` looks.
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${NINETEEN_PLUGIN_OUTPUT_DIR})
    install(TARGETS ${target} LIBRARY DESTINATION lib/nineteen/plugins)
  endif()
  set(script ${CMAKE_CURRENT_BINARY_DIR}/${target}.version)
  file(WRITE ${script} "{ global: nineteen_plugin_entry; local: *; };\n")
  target_link_options(${target} PRIVATE "LINKER:--version-script=${script}")
  # In the fuzz build (NINETEEN_FUZZ) a plugin's sanitizer and coverage calls are left for the
  # loading executable to resolve, as clang links those runtimes into executables only.
  if(NOT NINETEEN_FUZZ)
    target_link_options(${target} PRIVATE "LINKER:--no-undefined")
  endif()
  target_link_libraries(${target} PRIVATE Nineteen::sdk ${ARG_LINK})
endfunction()
