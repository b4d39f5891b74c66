// What an Eigen assertion raised inside an exercise says about where: the exercise and its
// source line, found from the call stack with addr2line (the builds keep line tables, -g1),
// and the shapes of the test's inputs (BP_INPUTS). Only runs when an assertion fails.
#include "check.hpp"
#include "manifest.hpp"

#include <dlfcn.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <vector>

namespace bp_test {

namespace {

// The shapes of the inputs in scope, "W 3x2, a_prev 2x4", innermost last.
std::vector<std::string>& inputs_stack() {
    thread_local std::vector<std::string> stack;
    return stack;
}

std::string shapes_text(const std::string& names, std::initializer_list<bp::Matrix> values);

std::string describe(const std::string& name, const bp::Matrix& m) {
    std::ostringstream out;
    out << name << " (" << bp::shape(m) << ")";
    if (m.size() == 0) return out.str() + ": empty";
    if (m.rows() <= 6 && m.cols() <= 6) {
        std::string values = format_matrix(m, "      ");
        values.pop_back();  // its last newline
        return out.str() + " =\n" + values;
    }
    out << ", first row: " << m.row(0).head(std::min<bp::Index>(m.cols(), 6)).format(Eigen::IOFormat(4, 0, " ", "", "", "", "[", "]"))
        << (m.cols() > 6 ? " ..." : "");
    return out.str();
}

// The names in "W, a_prev" as a list.
std::vector<std::string> split_names(const std::string& names) {
    std::vector<std::string> out;
    std::string current;
    for (char c : names + ",") {
        if (c == ',') {
            if (current.rfind("Matrix(", 0) == 0 && current.back() == ')') current = current.substr(7, current.size() - 8);
            out.push_back(current);
            current.clear();
        } else if (c != ' ') {
            current += c;
        }
    }
    return out;
}

std::string inputs_text(const std::string& names, std::initializer_list<bp::Matrix> values) {
    const std::vector<std::string> list = split_names(names);
    std::string text = "The test's inputs:";
    std::size_t i = 0;
    for (const bp::Matrix& m : values) text += "\n    " + describe(i < list.size() ? list[i] : "?", m), ++i;
    return text;
}

// Runs a command and returns what it printed.
std::string output_of(const std::string& command) {
    std::string out;
    if (FILE* pipe = popen(command.c_str(), "r")) {
        std::array<char, 4096> buffer{};
        while (fgets(buffer.data(), static_cast<int>(buffer.size()), pipe)) out += buffer.data();
        pclose(pipe);
    }
    return out;
}

// The exercise whose region in `file` (a full path) holds `line`, from the exercise list that
// exgen writes, the one reader of the markers; "" if none, or if the list cannot be read (an
// assertion's message is no place for a second error).
std::string exercise_at(const std::string& file, int line) {
    try {
        const auto all = bp_manifest::read(BP_MANIFEST);
        const bp_manifest::Exercise* e = bp_manifest::exercise_at(all, file, line);
        return e ? e->id : "";
    } catch (const bp_manifest::Error&) {
        return "";
    }
}

std::string source_line(const std::string& file, int line) {
    std::ifstream in(file);
    std::string text;
    for (int n = 1; std::getline(in, text); ++n)
        if (n == line) return text.substr(std::min(text.find_first_not_of(' '), text.size()));
    return "";
}

}  // namespace

Inputs::Inputs(const char* file, int line, const std::string& names, std::initializer_list<bp::Matrix> values)
    : text_(inputs_text(names, values)), trace_(file, line, text_) {
    inputs_stack().push_back(shapes_text(names, values));
}

Inputs::~Inputs() { inputs_stack().pop_back(); }

std::string inputs_in_scope() {
    std::string text;
    for (const std::string& t : inputs_stack()) text += (text.empty() ? "" : ", ") + t;
    return text.empty() ? "" : "The test's inputs: " + text + " (their values are at the end of this failure's full text).";
}

namespace {

std::string shapes_text(const std::string& names, std::initializer_list<bp::Matrix> values) {
    const std::vector<std::string> list = split_names(names);
    std::string text;
    std::size_t i = 0;
    for (const bp::Matrix& m : values) text += (i ? ", " : "") + (i < list.size() ? list[i] : "?") + " " + bp::shape(m), ++i;
    return text;
}

}  // namespace

std::string locate_in_exercise(void* const* frames, int count) {
    // Each frame as (object file, offset in it); addr2line resolves them one object at a time.
    std::map<std::string, std::vector<std::pair<int, std::uintptr_t>>> by_object;
    for (int i = 1; i < count; ++i) {  // frame 0 is eigen_assertion_failed itself
        Dl_info info{};
        if (dladdr(frames[i], &info) == 0 || info.dli_fname == nullptr) continue;
        // A return address points after the call: one byte back is inside it.
        const auto offset = reinterpret_cast<std::uintptr_t>(frames[i]) - reinterpret_cast<std::uintptr_t>(info.dli_fbase) - 1;
        by_object[info.dli_fname].emplace_back(i, offset);
    }
    static const std::regex location(R"(^(.*/(exercises|solutions)/ch[0-9]+/[^:]+):([0-9]+))");
    std::map<int, std::pair<std::string, int>> found;  // frame -> first exercise file:line in it
    for (const auto& [object, list] : by_object) {
        std::string command = "addr2line -i -a -e '" + object + "'";
        for (const auto& [frame, offset] : list) {
            std::ostringstream hex;
            hex << " 0x" << std::hex << offset;
            command += hex.str();
        }
        std::istringstream out(output_of(command + " 2>/dev/null"));
        std::size_t k = 0;
        bool started = false;
        for (std::string line; std::getline(out, line);) {
            if (line.rfind("0x", 0) == 0) {  // the next address's locations follow
                if (started) ++k;
                started = true;
                continue;
            }
            std::smatch m;
            if (k < list.size() && std::regex_search(line, m, location) && !found.count(list[k].first))
                found[list[k].first] = {m[1], std::stoi(m[3])};
        }
    }
    std::string where;
    if (!found.empty()) {
        const auto& [file, line] = found.begin()->second;  // the innermost frame in an exercise file
        std::string shown = file;
        if (const auto at = shown.rfind("/exercises/"); at != std::string::npos) shown = shown.substr(at + 1);
        else if (const auto at2 = shown.rfind("/solutions/"); at2 != std::string::npos) shown = shown.substr(at2 + 1);
        const std::string id = exercise_at(file, line);
        where = "Raised in " + (id.empty() ? std::string("") : "exercise " + id + ", ") + shown + ":" + std::to_string(line) + ":\n    " +
                source_line(file, line);
    }
    const std::string inputs = inputs_in_scope();
    if (!inputs.empty()) where += (where.empty() ? "" : "\n") + inputs;
    return where;
}

}  // namespace bp_test
