# The documentation's links lead somewhere: every relative link and image in README.md and
# docs/**/*.md names a file or folder that exists (web links and in-page anchors are not
# checked). And the README's first picture is one that docs/make-screenshots.sh remakes, so
# that it shows the current app (issue 10: "the README's first screenshot is the current app").
file(GLOB_RECURSE pages "${SOURCE_DIR}/docs/*.md")
list(PREPEND pages "${SOURCE_DIR}/README.md")
set(problems "")
set(checked 0)
foreach(page IN LISTS pages)
    file(READ "${page}" text)
    # Code spans and blocks are examples, not links.
    string(REGEX REPLACE "```[^`]*```" "" text "${text}")
    string(REGEX REPLACE "`[^`\n]*`" "" text "${text}")
    # "](" becomes a marker first: a CMake list does not split inside square brackets.
    string(REPLACE "](" "<link>(" text "${text}")
    string(REGEX MATCHALL "<link>\\([^) \n]+\\)" links "${text}")
    get_filename_component(dir "${page}" DIRECTORY)
    file(RELATIVE_PATH rel "${SOURCE_DIR}" "${page}")
    foreach(link IN LISTS links)
        string(REGEX REPLACE "^<link>\\(([^)]*)\\)$" "\\1" target "${link}")
        if(target MATCHES "^(https?|mailto):" OR target MATCHES "^#")
            continue()
        endif()
        string(REGEX REPLACE "#.*$" "" target "${target}")
        math(EXPR checked "${checked} + 1")
        if(NOT EXISTS "${dir}/${target}")
            string(APPEND problems "\n  ${rel}: ${target}")
        endif()
    endforeach()
endforeach()

file(READ "${SOURCE_DIR}/README.md" readme)
string(REGEX MATCH "!\\[[^]]*\\]\\(([^)]+)\\)" first "${readme}")
set(picture "${CMAKE_MATCH_1}")
file(READ "${SOURCE_DIR}/docs/make-screenshots.sh" script)
string(REPLACE "docs/" "" inDocs "${picture}")
if(picture STREQUAL "")
    string(APPEND problems "\n  README.md has no picture")
elseif(NOT script MATCHES "${inDocs}")
    string(APPEND problems
           "\n  README.md's first picture ${picture} is not one docs/make-screenshots.sh makes")
endif()

if(problems)
    message(FATAL_ERROR "documentation links that lead nowhere:${problems}")
endif()
message(STATUS "${checked} documentation links lead to files; the README's first picture is remade by docs/make-screenshots.sh")
