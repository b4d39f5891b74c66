#include "manifest.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace bp_manifest {

namespace {

constexpr std::size_t fields_per_line = 11;

int line_number(const std::string& text, const std::string& at, const char* what) {
    char* end = nullptr;
    const long n = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || n < 1 || n > 1000000000) throw Error{at + what + " '" + text + "' is not a line number"};
    return static_cast<int>(n);
}

}  // namespace

std::vector<Exercise> read(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw Error{"cannot read the exercise list " + file.string()};
    std::vector<Exercise> all;
    int line_no = 0;
    for (std::string line; std::getline(in, line);) {
        ++line_no;
        const std::string at = file.string() + ":" + std::to_string(line_no) + ": ";
        std::vector<std::string> f;
        std::istringstream fields(line);
        for (std::string field; std::getline(fields, field, '\t');) f.push_back(field);
        if (f.size() != fields_per_line)
            throw Error{at + std::to_string(f.size()) + " fields, not exgen's " + std::to_string(fields_per_line) +
                        " (a list from an older exgen?)"};
        Exercise e;
        e.id = f[0], e.chapter = f[1], e.chapter_title = f[2], e.file = f[3];
        e.begin = line_number(f[4], at, "the BEGIN line");
        e.anchor = f[5], e.read = f[6], e.hint = f[7];
        e.end = line_number(f[8], at, "the END line");
        char* end = nullptr;
        e.points = std::strtod(f[9].c_str(), &end);
        if (f[9].empty() || *end != '\0' || !std::isfinite(e.points) || e.points < 0)
            throw Error{at + "exercise " + e.id + "'s points '" + f[9] + "' are not a number of 0 or more"};
        e.label = f[10];
        all.push_back(e);
    }
    return all;
}

const Exercise* exercise_at(const std::vector<Exercise>& all, const std::string& file, int line) {
    for (const Exercise& e : all) {
        const bool same =
            file == e.file || (file.size() > e.file.size() && file.compare(file.size() - e.file.size(), e.file.size(), e.file) == 0 &&
                               file[file.size() - e.file.size() - 1] == '/');
        if (same && line > e.begin && line < e.end) return &e;
    }
    return nullptr;
}

}  // namespace bp_manifest
