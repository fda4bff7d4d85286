# Helpers shared by every target: warnings, sanitizers, kernel embedding, test registration.

# tomo_warnings: an INTERFACE target carrying the warning set and the sanitizer flags
# (STYLE.md B.9). Link it PRIVATE into every first-party target.
add_library(tomo_warnings INTERFACE)
target_compile_options(tomo_warnings INTERFACE
    -Wall -Wextra -Wshadow -Wconversion -Woverloaded-virtual -Wnon-virtual-dtor)
if(TOMO_WARNINGS_AS_ERRORS)
    target_compile_options(tomo_warnings INTERFACE -Werror)
endif()
if(TOMO_SANITIZER STREQUAL "address;undefined")
    target_compile_options(tomo_warnings INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(tomo_warnings INTERFACE -fsanitize=address,undefined)
elseif(TOMO_SANITIZER STREQUAL "thread")
    target_compile_options(tomo_warnings INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
    target_link_options(tomo_warnings INTERFACE -fsanitize=thread)
elseif(NOT TOMO_SANITIZER STREQUAL "none")
    message(FATAL_ERROR "TOMO_SANITIZER='${TOMO_SANITIZER}' is not one of: none, "
                        "'address;undefined', thread")
endif()

# tomo_embed_kernels(TARGET <name> COMMON <files...> KERNELS <files...>)
# Generates a C++ source holding every .cl file as a std::string_view, with the common/ helpers
# prepended in the order given. Runs CMake in script mode (no helper executable); editing any
# .cl file regenerates the source.
function(tomo_embed_kernels)
    cmake_parse_arguments(ARG "" "TARGET" "COMMON;KERNELS" ${ARGN})
    set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_kernels.cpp")
    add_custom_command(
        OUTPUT "${out}"
        COMMAND ${CMAKE_COMMAND}
            "-DOUTPUT=${out}"
            "-DCOMMON=${ARG_COMMON}"
            "-DKERNELS=${ARG_KERNELS}"
            -P "${PROJECT_SOURCE_DIR}/cmake/EmbedKernels.cmake"
        DEPENDS ${ARG_COMMON} ${ARG_KERNELS} "${PROJECT_SOURCE_DIR}/cmake/EmbedKernels.cmake"
        COMMENT "Embedding OpenCL kernels"
        VERBATIM)
    target_sources(${ARG_TARGET} PRIVATE "${out}")
endfunction()

# tomo_add_test(NAME <exe> SOURCES <...> LIBS <...> LABELS <...> [TIMEOUT s] [RESOURCE_LOCK r]
#               [ENVIRONMENT <...>])
# One GoogleTest executable registered test by test with CTest, labelled and time-limited.
function(tomo_add_test)
    cmake_parse_arguments(ARG "" "NAME;TIMEOUT;RESOURCE_LOCK" "SOURCES;LIBS;LABELS;ENVIRONMENT"
                          ${ARGN})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    add_executable(${ARG_NAME} ${ARG_SOURCES})
    target_link_libraries(${ARG_NAME} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main
                                              tomo_warnings)
    set(props LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
    if(ARG_RESOURCE_LOCK)
        list(APPEND props RESOURCE_LOCK ${ARG_RESOURCE_LOCK})
    endif()
    if(ARG_ENVIRONMENT)
        list(APPEND props ENVIRONMENT "${ARG_ENVIRONMENT}")
    endif()
    gtest_discover_tests(${ARG_NAME} PROPERTIES ${props} DISCOVERY_TIMEOUT 60)
endfunction()
