// The exercise list that exgen writes (exgen manifest: build/<preset>/exercises.tsv), read
// back: its one reader, shared by the course tool (tools/student.cpp), the tests' locator
// (tests/locate.cpp) and the progress, stub gate and grading reports (tests/report_files.cpp).
// The format is exgen's: one exercise a line, tab separated, the fields in the order below.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace bp_manifest {

struct Exercise {
    std::string id;             // "1.3"
    std::string chapter;        // "1"
    std::string chapter_title;  // the chapter page's first heading
    std::string file;           // edition/path: "exercises/ch01/linear.cpp"
    int begin = 0;              // the BEGIN EXERCISE line
    std::string anchor;         // the section's anchor: "ch01-linear"
    std::string read;           // where to read: "Chapter 1, section '...' (chapters/...)"
    std::string hint;           // the marker's one-line text
    int end = 0;                // the END EXERCISE line
    double points = 1;          // for grading (tests/points.txt, given to exgen manifest)
    std::string label;          // the chapter's ctest label: "ch01"
};

// A list that cannot be read, or a line of it that is not exgen's format (named FILE:LINE).
struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::vector<Exercise> read(const std::filesystem::path& file);

// The exercise whose region in `file` (as listed, or any path ending in /listed) holds `line`
// strictly between its markers; nullptr if none.
const Exercise* exercise_at(const std::vector<Exercise>& all, const std::string& file, int line);

}  // namespace bp_manifest
