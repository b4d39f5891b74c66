# Gives every figure of a built site its caption as its text alternative:
#   cmake -DHTML_DIR=DIR -P docs/figure_labels.cmake
# Doxygen 1.9.4 writes an SVG shown by \image as an <object> and a \dotfile's graph as an
# <iframe>, and lets neither carry an alt text, so a screen reader announces the figures
# without a name. Each gets role="img" and its caption (the \image's or \dotfile's quoted text)
# as its aria-label. A figure whose caption holds markup keeps no label, and
# tools/check_site.py names it: write its caption as plain text.
if(NOT IS_DIRECTORY "${HTML_DIR}")
  message(FATAL_ERROR "figure_labels.cmake: HTML_DIR (${HTML_DIR}) is not a folder")
endif()
file(GLOB pages "${HTML_DIR}/*.html")
foreach(page IN LISTS pages)
  file(READ "${page}" text)
  if(NOT text MATCHES "<div class=\"(image|dotgraph)\">")
    continue()
  endif()
  # \image html FILE.svg "CAPTION"
  string(REGEX REPLACE
    "(<object type=\"image/svg\\+xml\" data=\"[^\"]*\"[^>]*)(></object>\n<div class=\"caption\">\n)([^<\n]+)</div>"
    "\\1 role=\"img\" aria-label=\"\\3\"\\2\\3</div>" text "${text}")
  # \dotfile FILE.dot "CAPTION"
  string(REGEX REPLACE
    "(<iframe [^>]*src=\"[^\"]*\"[^>]*)(>(<p>[^\n]*</p>)?</iframe><div class=\"caption\">\n)([^<\n]+)</div>"
    "\\1 role=\"img\" aria-label=\"\\4\"\\2\\4</div>" text "${text}")
  file(WRITE "${page}" "${text}")
endforeach()
