# bp_check_exercise_files(DIR): stops the configure step, saying what to do, when a file that
# exgen wrote into DIR (listed in DIR/.exgen-hashes) is missing, deleted or renamed. The
# library is built from whatever exercise files there are, so without this check a missing one
# only shows when a program starts: "symbol lookup error: ... undefined symbol", exit 127. The
# build's file list is a CONFIGURE_DEPENDS glob, so deleting or renaming a file reruns this at
# the next build. DIR without .exgen-hashes (solutions/, a submission's copy being graded) is
# not checked.
#
# For each missing file the message offers the ways back that exist here: the newest backup
# that exgen generate --force kept (backups/exercises/<file>.~N~; from older versions
# backups/exercises/<file>.N, or <file>.student-backup-N beside it), a file in its folder that
# may be it renamed, git's last committed version, and ./course generate (the untouched stub;
# only where solutions/ is).
function(bp_check_exercise_files dir)
  if(NOT EXISTS "${dir}/.exgen-hashes")
    return()
  endif()
  file(STRINGS "${dir}/.exgen-hashes" listed REGEX "^[0-9a-f]+ [^.].*\\.cpp$")
  list(TRANSFORM listed REPLACE "^[0-9a-f]+ " "")
  get_filename_component(parent "${dir}" DIRECTORY)
  get_filename_component(name "${dir}" NAME)
  set(manifest "${PROJECT_BINARY_DIR}/exercises.tsv")  # the last build's exercise list, if any
  find_package(Git QUIET)
  set(text "")
  foreach(file IN LISTS listed)
    if(EXISTS "${dir}/${file}")
      continue()
    endif()
    file(RELATIVE_PATH shown "${PROJECT_SOURCE_DIR}" "${dir}/${file}")
    # Which exercises it held, from the last build's list.
    set(ids "")
    if(EXISTS "${manifest}")
      string(REPLACE "." "\\." pattern "${name}/${file}")
      file(STRINGS "${manifest}" rows REGEX "^[0-9]+\\.[0-9]+\t[^\t]*\t[^\t]*\t${pattern}\t")
      foreach(row IN LISTS rows)
        string(REGEX MATCH "^[0-9]+\\.[0-9]+" id "${row}")
        list(APPEND ids ${id})
      endforeach()
    endif()
    list(LENGTH ids count)
    list(JOIN ids ", " ids)
    if(count EQUAL 0)
      set(held "its exercises' functions")
    elseif(count EQUAL 1)
      set(held "the functions of exercise ${ids}")
    else()
      set(held "the functions of exercises ${ids}")
    endif()
    string(APPEND text "${shown} is missing (deleted, or renamed?): the library is built from the "
                       "exercise files, and without this one it lacks ${held}.  Get it back with one of:\n")
    # The newest backup: the highest number (a <file>.~N~ sorts after an older exgen's <file>.N).
    file(GLOB backups "${parent}/backups/${name}/${file}.*")
    list(FILTER backups INCLUDE REGEX "\\.(~[0-9]+~|[0-9]+)$")
    if(NOT backups)
      file(GLOB backups "${dir}/${file}.student-backup*")
    endif()
    if(backups)
      list(SORT backups COMPARE NATURAL)
      list(GET backups -1 newest)
      file(RELATIVE_PATH newest "${PROJECT_SOURCE_DIR}" "${newest}")
      string(APPEND text "    your newest backup:           cp ${newest} ${shown}\n")
    endif()
    # Files beside it that the course did not write: perhaps it, renamed.
    get_filename_component(folder "${file}" DIRECTORY)
    file(GLOB others RELATIVE "${dir}" "${dir}/${folder}/*")
    list(FILTER others EXCLUDE REGEX "\\.student-backup")
    list(REMOVE_ITEM others ${listed})
    foreach(other IN LISTS others)
      file(RELATIVE_PATH other "${PROJECT_SOURCE_DIR}" "${dir}/${other}")
      string(APPEND text "    if this is it, renamed:       mv ${other} ${shown}\n")
    endforeach()
    set(tracked 1)
    if(GIT_FOUND)
      execute_process(COMMAND "${GIT_EXECUTABLE}" ls-files --error-unmatch -- "${shown}"
                      WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}" RESULT_VARIABLE tracked OUTPUT_QUIET ERROR_QUIET)
    endif()
    if(tracked EQUAL 0)
      string(APPEND text "    your last committed version:  git restore ${shown}\n")
    endif()
    if(IS_DIRECTORY "${PROJECT_SOURCE_DIR}/solutions")
      string(APPEND text "    the untouched stub:           ./course generate   (it writes missing files; it replaces none you edited)\n")
    else()
      string(APPEND text "    the untouched stub:           copy ${shown} from a fresh copy of the course\n")
    endif()
    string(APPEND text "\n")
  endforeach()
  if(text)
    message(FATAL_ERROR "${text}")
  endif()
endfunction()
