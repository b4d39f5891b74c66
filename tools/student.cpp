// course_student: the student's side of the course tool (./course check, watch, hint, demo,
// experiment, and the explanation of a failed build). `course` builds it with the student build
// (the reference build for experiment --reference) and runs it; it reads the lists the build
// writes (build/<preset>/exercises.tsv, programs.tsv), never the exercise markers themselves.
//
//   course_student check [N | N.M] --course PATH [--preset P] [--started T] [--built T]
//       Runs the tests of everything, a chapter or one exercise (with the others of its file,
//       which the same edit may have changed, and any exercise whose file changed since its
//       last report, so that no result shown is stale), then prints the progress, the
//       compiler's warnings in those exercises' lines, and the time it took. Exits 1 when an
//       exercise or chapter asked for is not done, or a library check fails; 2 for an
//       exercise or chapter that does not exist; else 0.
//   course_student selftest [--preset P]
//       The student edition's ./course test: every test, then the progress; exits 1 when a
//       check of the course's own code fails (the tools' tests, a library check), else 0.
//   course_student watch --course PATH
//       Polls exercises/ every second; for each saved file, finds the exercise holding the
//       first line that changed against its snapshot and runs PATH check on it.
//   course_student hint N.M [LEVEL]
//       Exercise N.M's hints from exercises/.hints, one level more each time (state in
//       build/hints/N.M).
//   course_student targets demo|experiment N [--reference] [NAME] [OPTIONS...]
//       The build targets of chapter N's demos or experiments (all, or the experiment NAME),
//       one a line, from build/<preset>/programs.tsv (student; reference with --reference),
//       for course to build; or why there are none (exit 2: not a chapter, 1: no such program).
//   course_student run CALLER demo|experiment N [--reference] [NAME] [OPTIONS...]
//       Runs them with OPTIONS: demos in the folder CALLER, one after the other, stopping at a
//       failure; experiments each into the chapter's figures folder, every one, with a header
//       per experiment for --help; exits with the status of the last one that failed.
//   course_student explain-build LOG [--preset P] [--step configure]
//       Why the build (or configure step) of build/P failed, short, on stderr; exits 1. The
//       errors in exercise files come from the JSON diagnostics tools/diagnostics_launcher.sh
//       saved (with their source lines, the exercise, hints for the usual Eigen mistakes);
//       anything else from the log: a configure step's message whole, else its first failure.
//
// It runs in the repository's root (course changes there first).
#include "manifest.hpp"

#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace fs = std::filesystem;

namespace {

// The progress flags of course_tests --progress (tests/report.hpp).
constexpr int progress_no_such = 2, progress_not_done = 4, progress_library_fails = 8;

struct Usage {
    std::string message;  // exit 2
};
struct Failure {
    std::string message;  // exit 1
};

using bp_manifest::Exercise;
using bp_manifest::exercise_at;

std::vector<std::string> split(const std::string& line, char by) {
    std::vector<std::string> fields;
    std::istringstream in(line);
    for (std::string f; std::getline(in, f, by);) fields.push_back(f);
    return fields;
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<Exercise> read_manifest(const fs::path& file) {
    if (!fs::exists(file)) throw Failure{"cannot read the exercise list " + file.string() + "; build first (./course check)"};
    try {
        return bp_manifest::read(file);
    } catch (const bp_manifest::Error& e) {
        throw Failure{std::string(e.what()) + "; build again (./course check)"};
    }
}

// The same, or no exercise before the first build has listed them.
std::vector<Exercise> read_manifest_if_built(const fs::path& file) {
    return fs::exists(file) ? read_manifest(file) : std::vector<Exercise>{};
}

// A number as written by the user ("08", "8") in decimal; "" if it is not one.
std::string decimal(const std::string& s) {
    if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos) return "";
    return std::to_string(std::stoi(s));
}

// An exercise (1.3, 01.03) or a chapter (1, 01) in its canonical form, 1.3 or 1; "" if neither.
std::string canonical_id(const std::string& s) {
    const auto dot = s.find('.');
    if (dot == std::string::npos) return decimal(s);
    const std::string chapter = decimal(s.substr(0, dot)), number = decimal(s.substr(dot + 1));
    return chapter.empty() || number.empty() ? "" : chapter + "." + number;
}

// "1.3" -> "1\.3", for a ctest label regex.
std::string escaped(const std::string& id) {
    std::string out;
    for (char c : id) out += c == '.' ? std::string("\\.") : std::string(1, c);
    return out;
}

// FNV-1a of a file's bytes: enough to notice that it changed.
std::string hash_of_file(const fs::path& path) {
    std::uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : read_text(path)) h = (h ^ c) * 1099511628211ULL;
    std::ostringstream out;
    out << std::hex << h;
    return out.str();
}

// Runs a program (argv[0] found on PATH), its output to `log` if given, in the folder `dir` if
// given; returns its exit status.
int run(const std::vector<std::string>& args, const std::string& log = "", const std::string& dir = "") {
    std::cout.flush();
    const pid_t pid = fork();
    if (pid < 0) throw Failure{"cannot start " + args[0] + ": " + std::strerror(errno)};
    if (pid == 0) {
        if (!log.empty()) {
            if (!std::freopen(log.c_str(), "w", stdout)) _exit(127);
            dup2(fileno(stdout), STDERR_FILENO);
        }
        if (!dir.empty() && chdir(dir.c_str()) != 0) {
            std::fprintf(stderr, "course: cannot go to %s: %s\n", dir.c_str(), std::strerror(errno));
            _exit(127);
        }
        std::vector<char*> argv;
        argv.reserve(args.size() + 1);
        for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execvp(argv[0], argv.data());
        std::fprintf(stderr, "course: cannot run %s: %s\n", args[0].c_str(), std::strerror(errno));
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

double seconds_since(const std::string& epoch) {
    if (epoch.empty()) return -1;
    const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    return now - std::strtod(epoch.c_str(), nullptr);
}

std::string one_decimal(double s) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(1) << s;
    return out.str();
}

// ---- the record of which file each report was made from -------------------------------------

// build/<preset>/report-stamps.tsv: "ID<TAB>hash of its file when its tests last ran".
std::map<std::string, std::string> read_stamps(const fs::path& file) {
    std::map<std::string, std::string> stamps;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        const auto f = split(line, '\t');
        if (f.size() == 2) stamps[f[0]] = f[1];
    }
    return stamps;
}

void write_stamps(const fs::path& file, const std::map<std::string, std::string>& stamps) {
    std::ofstream out(file.string() + ".new");
    for (const auto& [id, hash] : stamps) out << id << "\t" << hash << "\n";
    out.close();
    fs::rename(file.string() + ".new", file);
}

// ---- the compiler's warnings in the student's lines ---------------------------------------

// The warnings the compiler gave in the lines of these exercises, from the diagnostics that
// tools/diagnostics_launcher.sh saved as JSON (build/<preset>/diagnostics/<file>.json) when
// it last compiled each exercise file.
std::vector<std::string> warnings_in(const std::vector<const Exercise*>& exercises, const fs::path& build) {
    std::vector<std::string> out;
    std::map<std::string, nlohmann::json> by_file;
    for (const Exercise* e : exercises) {
        const auto slash = e->file.find('/');
        const fs::path json = build / "diagnostics" / (e->file.substr(slash + 1) + ".json");
        if (!by_file.count(e->file)) {
            std::ifstream in(json);
            by_file[e->file] = in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json::array();
        }
        const nlohmann::json& list = by_file[e->file];
        if (!list.is_array()) continue;
        for (const auto& d : list) {
            if (d.value("kind", "") != "warning" || !d.contains("locations") || d["locations"].empty()) continue;
            const auto& caret = d["locations"][0]["caret"];
            const int line = caret.value("line", 0);
            if (line <= e->begin || line >= e->end) continue;
            std::string option = d.value("option", "");
            std::string text = "  " + e->file + ":" + std::to_string(line) + ":" + std::to_string(caret.value("column", 0)) +
                               ": warning: " + d.value("message", "") + (option.empty() ? "" : " [" + option + "]") + "  (exercise " +
                               e->id + ")";
            std::ifstream source(e->file);
            std::string code;
            for (int n = 1; std::getline(source, code) && n < line; ++n) {
            }
            code.erase(0, std::min(code.find_first_not_of(" \t"), code.size()));
            out.push_back(text + "\n      " + code);
        }
    }
    return out;
}

// ---- check -------------------------------------------------------------------------------

struct Options {
    std::vector<std::string> words;            // the arguments that are not --name=VALUE or --name VALUE
    std::map<std::string, std::string> named;  // --name VALUE
};

Options parse(int argc, char** argv, const std::set<std::string>& with_value) {
    Options o;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (with_value.count(a)) {
            if (i + 1 == argc) throw Usage{a + " needs a value"};
            o.named[a] = argv[++i];
        } else {
            o.words.push_back(a);
        }
    }
    return o;
}

int check(const Options& o) {
    if (o.words.size() > 1) throw Usage{"check takes one exercise (like 1.3), one chapter (like 1), or nothing"};
    const std::string asked = o.words.empty() ? "" : o.words[0];
    const std::string only = asked.empty() ? "" : canonical_id(asked);
    if (!asked.empty() && only.empty()) throw Usage{"'" + asked + "' is not an exercise (like 1.3) or a chapter (like 1)"};
    const std::string preset = o.named.count("--preset") ? o.named.at("--preset") : "student";
    const fs::path build = "build/" + preset, reports = build / "test-reports", stamps_file = build / "report-stamps.tsv";
    const std::vector<Exercise> all = read_manifest(build / "exercises.tsv");

    const bool is_exercise = only.find('.') != std::string::npos;
    std::vector<const Exercise*> asked_exercises;
    for (const Exercise& e : all)
        if (only.empty() || e.id == only || (!is_exercise && e.chapter == only)) asked_exercises.push_back(&e);

    // What to run: the exercises asked for; with one exercise, the others of its file too; and
    // every exercise whose file changed since its report was made, so that none shown is stale.
    std::map<std::string, std::string> stamps = read_stamps(stamps_file);
    std::set<std::string> ids;                   // exercises to run, besides the chapter's label
    std::map<std::string, std::string> hash_of;  // file -> its hash now
    const auto file_hash = [&](const std::string& file) -> const std::string& {
        if (!hash_of.count(file)) hash_of[file] = fs::exists(file) ? hash_of_file(file) : "";
        return hash_of[file];
    };
    if (is_exercise)
        for (const Exercise* e : asked_exercises)
            for (const Exercise& x : all)
                if (x.file == e->file) ids.insert(x.id);
    if (!only.empty())
        for (const Exercise& x : all) {
            const auto s = stamps.find(x.id);
            if (s != stamps.end() && s->second != file_hash(x.file) && fs::exists(reports / ("ex" + x.id + ".tsv"))) ids.insert(x.id);
        }

    // The ctest labels: ^ex(1\.2|1\.3)$ for exercises, ^(ch01|ex(2\.3))$ for a chapter and
    // exercises elsewhere whose files changed; none for everything. Their old reports go first.
    std::string label;
    std::error_code ignore;
    const auto remove_reports = [&](const std::string& prefix) {
        if (!fs::is_directory(reports)) return;
        for (const auto& entry : fs::directory_iterator(reports)) {
            const std::string name = entry.path().filename().string();
            if (entry.path().extension() == ".tsv" && name.rfind(prefix, 0) == 0) fs::remove(entry.path(), ignore);
        }
    };
    std::string exercises_label;
    for (const std::string& id : ids) {
        fs::remove(reports / ("ex" + id + ".tsv"), ignore);
        exercises_label += (exercises_label.empty() ? "" : "|") + escaped(id);
    }
    if (!exercises_label.empty()) exercises_label = "ex(" + exercises_label + ")";
    if (only.empty()) {
        remove_reports("");
    } else if (!is_exercise) {
        const std::string chapter = (only.size() == 1 ? "ch0" : "ch") + only;
        remove_reports("ex" + only + ".");
        remove_reports(chapter + ".");
        label = exercises_label.empty() ? "^" + chapter + "$" : "^(" + chapter + "|" + exercises_label + ")$";
    } else {
        label = "^" + exercises_label + "$";
    }
    std::vector<std::string> ctest = {"ctest", "--preset", preset, "-j", "2"};
    if (!label.empty()) ctest.insert(ctest.end(), {"-L", label});
    const auto tests_started = std::chrono::steady_clock::now();
    // An exercise that does not exist runs nothing: the progress says so (and exits 2).
    if (!(is_exercise && asked_exercises.empty()))
        run(ctest, "build/" + preset + ".ctest.log");  // failing exercises are expected; the reports say which
    const double test_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - tests_started).count();

    // Each exercise whose tests just ran was run on its file as it is now.
    for (const Exercise& x : all)
        if (fs::exists(reports / ("ex" + x.id + ".tsv")) && (only.empty() || ids.count(x.id) || x.chapter == only || x.id == only))
            stamps[x.id] = file_hash(x.file);
    write_stamps(stamps_file, stamps);

    const int progress = run({(build / "tests/course_tests").string(), "--progress=" + reports.string(), "--only=" + only});
    if (progress == progress_no_such) return 2;
    if (progress >= 16 || progress == 1)
        throw Failure{"the progress could not be read (course_tests exited " + std::to_string(progress) + ")"};

    // The compiler's warnings in the exercises shown: the verdict's other half.
    const std::vector<std::string> warnings = warnings_in(asked_exercises, build);
    if (!warnings.empty()) {
        std::cout << "\nThe compiler warns about " << (warnings.size() == 1 ? "this line" : "these lines") << " of your code:\n";
        for (const std::string& w : warnings) std::cout << w << "\n";
    }
    const double total = seconds_since(o.named.count("--started") ? o.named.at("--started") : "");
    const double built = o.named.count("--built") && o.named.count("--started")
                             ? std::strtod(o.named.at("--built").c_str(), nullptr) - std::strtod(o.named.at("--started").c_str(), nullptr)
                             : -1;
    std::cout << "\ncourse: checked in " << (total >= 0 ? one_decimal(total) + " s (" : "")
              << (built >= 0 ? "building " + one_decimal(built) + " s, " : "") << "tests " << one_decimal(test_seconds) << " s"
              << (total >= 0 ? ")" : "") << "\n";
    if (progress & progress_library_fails) return 1;
    if (!only.empty() && (progress & progress_not_done)) return 1;
    return 0;
}

// ---- selftest (the student edition's ./course test) -----------------------------------------

int selftest(const Options& o) {
    const std::string preset = o.named.count("--preset") ? o.named.at("--preset") : "student";
    const fs::path build = "build/" + preset, reports = build / "test-reports";
    std::error_code ignore;
    if (fs::is_directory(reports))
        for (const auto& entry : fs::directory_iterator(reports))
            if (entry.path().extension() == ".tsv") fs::remove(entry.path(), ignore);
    // The tools' own tests (exgen, the course tool) by ctest's exit code; the rest (the
    // exercises, which may well fail, and the library checks) leave reports.
    run({"ctest", "--preset", preset, "-j", "2", "-LE", "^tools$"}, "build/" + preset + ".ctest.log");
    const int tools = run({"ctest", "--preset", preset, "-j", "2", "-L", "^tools$"}, "build/" + preset + ".tools.log");
    const int progress = run({(build / "tests/course_tests").string(), "--progress=" + reports.string()});
    std::cout << "\n";
    if (tools != 0) std::cout << "The course's tools' own tests fail: their log is build/" << preset << ".tools.log\n";
    if (tools == 0 && !(progress & progress_library_fails) && progress < 16 && progress != 1) {
        std::cout << "course test: the course's own checks pass on this machine (the library, the tools); your exercises are above\n";
        return 0;
    }
    std::cout << "course test: FAILED: a check of the course's own code failed (above), not one of your exercises: tell your instructor\n";
    return 1;
}

// ---- explain-build: why a build failed, short -------------------------------------------------

// Eigen's type names, which fill a screen, written short: Matrix, Array, an Eigen expression.
std::string shorten_types(std::string text) {
    static const std::vector<std::pair<std::regex, std::string>> rules = {
        {std::regex(" \\{aka [^}]*\\}"), ""},
        {std::regex("Eigen::Matrix<double, -1, -1>"), "Matrix"},
        {std::regex("Eigen::Matrix<double, -1, 1>"), "Vector"},
        {std::regex("Eigen::Array<double, -1, -1>"), "Array"},
        {std::regex("const Eigen::ArrayWrapper<[^']*>"), "an Array expression (.array())"},
        {std::regex("(const )?Eigen::(CwiseBinaryOp|CwiseUnaryOp|Product|Transpose|CwiseNullaryOp)<[^']*>"), "an Eigen expression"},
    };
    for (const auto& [pattern, by] : rules) text = std::regex_replace(text, pattern, by);
    return text.size() > 220 ? text.substr(0, 220) : text;
}

// GCC's quotes in plain ASCII, whatever the locale it ran in.
std::string plain_quotes(std::string text) {
    for (const char* q : {"\xe2\x80\x98", "\xe2\x80\x99"})
        for (std::size_t at; (at = text.find(q)) != std::string::npos;) text.replace(at, 3, "'");
    return text;
}

// Line `line` (1-based) of `file`, without its indentation.
std::string source_line(const std::string& file, int line) {
    std::ifstream source(file);
    std::string code;
    for (int n = 1; std::getline(source, code) && n < line; ++n) {
    }
    code.erase(0, std::min(code.find_first_not_of(" \t"), code.size()));
    return code;
}

// A hint for each Eigen mistake newcomers make that the compiler's messages show (Eigen's
// static-assertion names, the types and operators of the usual mistakes).
std::vector<std::string> eigen_hints(const std::string& messages) {
    static const std::vector<std::pair<std::regex, std::string>> hints = {
        {std::regex("MatrixExponentialReturnValue|MatrixLogarithmReturnValue|MatrixSquareRootReturnValue|MatrixFunctionReturnValue|"
                    "has no member named '(exp|log|log1p|sqrt|square|cube|abs2|tanh|inverse|max|min|pow)'"),
         "Hint: exp, log, sqrt, tanh, square and the like work element by element on ARRAYS. A Matrix has no\n"
         "        such method (or means the matrix exponential): write z.array().exp(), and .matrix() to come back."},
        {std::regex("no match for 'operator[-+]' \\(operand types are '(const )?(double|float|int)' and|"
                    "no match for 'operator[-+]' \\(operand types are '[^']*Matrix[^']*' and '(const )?(double|float|int)'"),
         "Hint: a number plus or minus a Matrix does not compile: Matrix arithmetic is linear algebra. To add\n"
         "        a number to every element, use an array: 1.0 + z.array() (then .matrix() if you need a Matrix)."},
        {std::regex("YOU_CANNOT_MIX_ARRAYS_AND_MATRICES|operand types are '[^']*(Array|ArrayWrapper)[^']*' and '[^']*Matrix|"
                    "operand types are '[^']*Matrix[^']*' and '[^']*(Array|ArrayWrapper)"),
         "Hint: this mixes a Matrix and an Array in one operation. Make both the same kind: x.array() or\n"
         "        a.matrix(). Between matrices * is the matrix product; between arrays, element by element."},
        {std::regex("YOU_TRIED_CALLING_A_VECTOR_METHOD_ON_A_MATRIX"),
         "Hint: that method (dot, norm of a vector, head, tail, segment, a single index v(i)) is for vectors,\n"
         "        one row or one column. For matrices: a.cwiseProduct(b).sum(), or take a column with m.col(j)."},
        {std::regex("cannot convert '[^']*Eigen::Product<[^']*' to 'double'|conversion from '[^']*Eigen::Product<[^']*' to non-scalar type "
                    "'double'"),
         "Hint: a product of matrices is a matrix, even a 1x1 one. For a number use (a.transpose() * b).value(),\n"
         "        or a.dot(b) for two vectors."},
        {std::regex("could not convert '[^']*' from '[^']*(Array|ArrayWrapper|CwiseBinaryOp<[^']*Array)[^']*' to '[^']*Matrix"),
         "Hint: an array expression is returned where a Matrix is expected: end it with .matrix()."},
    };
    static const std::regex aka(" \\{aka '[^']*'\\}");
    const std::string text = std::regex_replace(messages, aka, "");
    std::vector<std::string> out;
    for (const auto& [pattern, hint] : hints)
        if (std::regex_search(text, pattern)) out.push_back(hint);
    return out;
}

// Where the build log's "FILE:LINE:COL:   required from here" lines put, in `file` (a path from
// the repository's root), the `nth` (0-based) error whose message is `message`: the last such
// line for that file before the error's own line. GCC 12's JSON diagnostics leave that chain
// out, so an error inside Eigen's code is placed in the student's file from the log.
std::pair<int, int> required_from_here(const std::string& log, const std::string& file, const std::string& message, int nth) {
    std::pair<int, int> place{0, 0}, first{0, 0};
    std::istringstream in(log);
    const std::string tail = "   required from here", error = ": error: " + message;
    for (std::string line; std::getline(in, line);) {
        const auto at = line.find(file + ":");
        if (at != std::string::npos && (at == 0 || line[at - 1] == '/') && line.size() >= tail.size() &&
            line.compare(line.size() - tail.size(), tail.size(), tail) == 0) {
            std::pair<int, int> here{0, 0};
            const char *p = line.data() + at + file.size() + 1, *end = line.data() + line.size();  // LINE:COLUMN
            const auto [colon, e1] = std::from_chars(p, end, here.first);
            if (e1 == std::errc() && colon != end && *colon == ':' && std::from_chars(colon + 1, end, here.second).ec == std::errc())
                place = here;
            if (first.first == 0) first = place;
        } else if (line.find(error) != std::string::npos &&
                   line.compare(line.size() - std::min(line.size(), message.size()), message.size(), message) == 0 && nth-- == 0) {
            return place.first ? place : first;
        }
    }
    return first;
}

// All the messages of a diagnostic and its children, one a line, for the hints.
void collect_messages(const nlohmann::json& d, std::string& into) {
    into += plain_quotes(d.value("message", "")) + "\n";
    if (d.contains("children") && d["children"].is_array())
        for (const auto& c : d["children"]) collect_messages(c, into);
}

// The errors in the exercise files, from the diagnostics that tools/diagnostics_launcher.sh
// saved when each last failed to compile (only those saved since the file last changed). Each
// with its source line; the exercise of the first; the Eigen hints. False if there are none.
bool explain_exercise_errors(const fs::path& build, const std::string& log) {
    const fs::path diagnostics = build / "diagnostics";
    if (!fs::is_directory(diagnostics)) return false;
    const std::vector<Exercise> all = read_manifest_if_built(build / "exercises.tsv");  // none: no exercise named
    std::vector<std::pair<std::string, fs::path>> files;                                // exercises/chNN/x.cpp, its diagnostics
    std::error_code error;
    for (fs::recursive_directory_iterator it(diagnostics, error), end; !error && it != end; it.increment(error)) {
        if (it->path().extension() != ".json") continue;
        std::string relative = fs::relative(it->path(), diagnostics).generic_string();
        const std::string source = "exercises/" + relative.substr(0, relative.size() - 5);
        std::error_code e1, e2;
        const auto saved = fs::last_write_time(it->path(), e1), changed = fs::last_write_time(source, e2);
        if (!e1 && !e2 && saved >= changed) files.emplace_back(source, it->path());
    }
    std::sort(files.begin(), files.end());
    std::vector<std::string> shown;
    std::string messages;
    std::vector<std::string> ids;  // the exercises the errors shown are in, in order
    for (const auto& [source, json_file] : files) {
        std::ifstream in(json_file);
        const nlohmann::json list = nlohmann::json::parse(in, nullptr, false);
        if (!list.is_array()) continue;
        std::map<std::string, int> elsewhere;  // message -> how many errors with it so far inside other files (Eigen's)
        for (const auto& d : list) {
            const std::string kind = d.value("kind", "");
            if (kind.find("error") == std::string::npos) continue;
            collect_messages(d, messages);
            std::string where = source;
            int line = 0, column = 0;
            std::string inside;
            if (d.contains("locations") && !d["locations"].empty()) {
                const auto& caret = d["locations"][0]["caret"];
                const std::string file = caret.value("file", "");
                line = caret.value("line", 0);
                column = caret.value("column", 0);
                if (file != source && (file.size() < source.size() + 1 ||
                                       file.compare(file.size() - source.size() - 1, source.size() + 1, "/" + source) != 0)) {
                    // Inside another file (Eigen's): where the student's line made it fail.
                    inside = " (in " +
                             (file.find("eigen3") != std::string::npos ? std::string("Eigen's code") : fs::path(file).filename().string()) +
                             ")";
                    const std::string message = plain_quotes(d.value("message", ""));
                    std::tie(line, column) = required_from_here(log, source, message, elsewhere[message]++);
                }
            }
            if (line > 0) where += ":" + std::to_string(line) + ":" + std::to_string(column);
            std::string text = "  " + shorten_types(where + ": " + kind + inside + ": " + plain_quotes(d.value("message", "")));
            if (line > 0) text += "\n      " + source_line(source, line);
            if (std::find(shown.begin(), shown.end(), text) != shown.end()) continue;
            if (shown.size() == 8) continue;
            shown.push_back(text);
            const Exercise* e = exercise_at(all, source, line);
            if (e && std::find(ids.begin(), ids.end(), e->id) == ids.end()) ids.push_back(e->id);
        }
    }
    if (shown.empty()) return false;
    std::cout << "Your code does not compile. The compiler's first complaints, in your files:\n";
    for (const std::string& s : shown) std::cout << s << "\n";
    if (!ids.empty()) {
        std::cout << "  (that is in exercise" << (ids.size() > 1 ? "s " : " ");
        for (std::size_t i = 0; i < ids.size(); ++i) std::cout << (i == 0 ? "" : i + 1 == ids.size() ? " and " : ", ") << ids[i];
        std::cout << ": ./course hint " << ids[0] << " helps)\n";
    }
    for (const std::string& h : eigen_hints(messages)) std::cout << "  " << h << "\n";
    return true;
}

// course_student explain-build LOG [--preset P] [--step configure]: what the failed build (or
// configure step) of build/P says, short, then the line that ends the command. Exits 1.
int explain_build(const Options& o) {
    if (o.words.size() != 1) throw Usage{"usage: course_student explain-build LOG [--preset P] [--step configure]"};
    const std::string log_file = o.words[0];
    const std::string preset = o.named.count("--preset") ? o.named.at("--preset") : "student";
    const bool configuring = o.named.count("--step") && o.named.at("--step") == "configure";
    const std::string log = read_text(log_file);
    std::vector<std::string> lines = split(log, '\n');
    std::cout.flush();
    // A compiler that was killed (out of memory) or crashed is not the student's mistake.
    int killed = 0;
    for (const std::string& line : lines)
        for (const char* sign : {"internal compiler error", "Killed signal terminated program", "terminated signal", "fatal error: Killed"})
            if (line.find(sign) != std::string::npos && killed < 3) {
                std::cerr << line << "\n";
                ++killed;
                break;
            }
    if (killed) {
        std::cerr << "course: the " << preset
                  << " build failed because the compiler itself was killed or crashed (often: out of memory, or another\n"
                  << "    build at the same time), not because of your code: run the same command again (full log: " << log_file << ")\n";
        return 1;
    }
    std::ostringstream out;
    std::streambuf* const saved = std::cout.rdbuf(out.rdbuf());
    const bool ours = !configuring && explain_exercise_errors("build/" + preset, log);
    std::cout.rdbuf(saved);
    std::cerr << out.str();
    if (!ours) {
        const auto cmake_error =
            std::find_if(lines.begin(), lines.end(), [](const std::string& l) { return l.rfind("CMake Error", 0) == 0; });
        if (cmake_error != lines.end()) {
            // The configure step stopped (a missing exercise file): its message, whole.
            bool blank = false;
            for (auto it = cmake_error; it != lines.end() && it->rfind("Call Stack", 0) != 0 && it->rfind("-- ", 0) != 0; ++it) {
                const bool empty = it->find_first_not_of(' ') == std::string::npos;
                if (!(empty && blank)) std::cerr << (empty ? "" : *it) << "\n";
                blank = empty;
            }
        } else {
            // Anything else: the build log from its first failure on, briefly.
            auto from = std::find_if(lines.begin(), lines.end(), [](const std::string& l) { return l.rfind("FAILED:", 0) == 0; });
            if (from == lines.end()) from = lines.size() > 25 ? lines.end() - 25 : lines.begin();
            int shown = 0;
            for (auto it = from; it != lines.end() && shown < 25; ++it) {
                if (it->empty() || (*it)[0] == '[' || (it != from && (it - 1)->rfind("FAILED:", 0) == 0))
                    continue;  // progress, the command
                std::cerr << shorten_types(*it) << "\n";
                ++shown;
            }
        }
    }
    std::cerr << "\ncourse: "
              << (configuring ? "configuring the " + preset + " build failed (log: " + log_file + ")"
                              : "the " + preset + " build failed: fix the first error above (full log: " + log_file + ")")
              << "\n";
    return 1;
}

// ---- hint ---------------------------------------------------------------------------------

int hint(const Options& o) {
    if (o.words.empty() || o.words.size() > 2) throw Usage{"usage: ./course hint N.M [LEVEL] (like ./course hint 3.1)"};
    const std::string id = canonical_id(o.words[0]);
    if (id.find('.') == std::string::npos) throw Usage{"'" + o.words[0] + "' is not an exercise (like 3.1)"};
    const fs::path hints_file = "exercises/.hints";
    if (!fs::exists(hints_file)) throw Failure{"exercises/.hints is missing (instructors: ./course generate writes it)"};
    std::map<int, std::vector<std::string>> hints;  // level -> lines
    std::ifstream in(hints_file);
    for (std::string line; std::getline(in, line);) {
        const auto f = split(line, '\t');
        if (f.size() >= 3 && f[0] == id && !decimal(f[1]).empty()) hints[std::stoi(f[1])].push_back(f[2]);
    }
    if (hints.empty()) throw Usage{"there is no exercise " + id + " (exercises are named like 3.1; ./course check lists them)"};
    const int levels = hints.rbegin()->first;
    const fs::path seen_file = "build/hints/" + id;
    fs::create_directories(seen_file.parent_path());
    int seen = 0;
    if (std::ifstream s(seen_file); s) s >> seen;
    int level = 0;
    if (o.words.size() == 2) {
        const std::string l = decimal(o.words[1]);
        if (l.empty() || std::stoi(l) < 1 || std::stoi(l) > levels)
            throw Usage{"exercise " + id + " has hint levels 1 to " + std::to_string(levels)};
        level = std::stoi(l);
    } else {
        level = std::min(seen + 1, levels);
    }
    if (level > seen) std::ofstream(seen_file) << level << "\n";
    static const std::vector<std::string> titles = {"", "Where to read", "The shapes", "The Eigen operations that help",
                                                    "A worked example"};
    const auto title = [&](int l) { return l < static_cast<int>(titles.size()) ? titles[l] : std::string("More"); };
    std::cout << "Exercise " << id << ", hint " << level << " of " << levels << ": " << title(level) << "\n";
    for (const std::string& line : hints[level]) std::cout << "  " << line << "\n";
    std::cout << "\n";
    if (level < levels) {
        std::string next = level + 1 < static_cast<int>(titles.size()) ? titles[level + 1] : "more";
        next[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(next[0])));
        std::cout << "(./course hint " << id << " again for the next level: " << next << ".)\n";
    } else {
        std::cout << "(That was the last level; ./course hint " << id << " N shows level N again.)\n";
    }
    return 0;
}

// ---- demo and experiment: chapter N's programs -----------------------------------------------

struct ChapterPrograms {
    std::string kind, chapter, preset;               // chapter: 7, not 07
    std::vector<std::vector<std::string>> programs;  // name, target, path
    std::vector<std::string> options;                // for every program
};

// demo N | experiment N [--reference] [NAME] [OPTIONS...], as ./course was given it.
ChapterPrograms chapter_programs(const std::vector<std::string>& args) {
    ChapterPrograms c;
    c.kind = args.empty() ? "" : args[0];
    if (c.kind != "demo" && c.kind != "experiment") throw Usage{"usage: course_student targets|run [CALLER] demo|experiment N ..."};
    c.chapter = args.size() > 1 ? decimal(args[1]) : "";
    if (c.chapter.empty()) throw Usage{"usage: ./course " + c.kind + " N (a chapter number)"};
    std::size_t i = 2;
    c.preset = "student";
    if (i < args.size() && args[i] == "--reference") {
        if (c.kind != "experiment") throw Usage{"--reference is for experiments: ./course experiment N --reference"};
        if (!fs::is_directory("solutions"))
            throw Failure{"--reference runs the experiments on solutions/, which the student edition does not have; ./course experiment " +
                          c.chapter + " runs them on your code"};
        c.preset = "reference";
        ++i;
    }
    const std::string only = i < args.size() && args[i].rfind('-', 0) != 0 ? args[i++] : "";
    c.options.assign(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
    // The list the build writes: chapter, kind, name, target, path (chapters/CMakeLists.txt).
    const fs::path list = "build/" + c.preset + "/programs.tsv";
    std::ifstream in(list);
    if (!in) throw Failure{"cannot read " + list.string() + "; configure first (cmake --preset " + c.preset + ")"};
    std::vector<std::vector<std::string>> all;
    for (std::string line; std::getline(in, line);) {
        const auto f = split(line, '\t');
        if (f.size() == 5 && f[0] == c.chapter && f[1] == c.kind) all.push_back({f[2], f[3], f[4]});
    }
    // By target: chNN-demo before chNN-demo-NAME (chapter 4's find-the-bug).
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a[1] < b[1]; });
    if (all.empty()) throw Failure{"chapter " + c.chapter + " has no " + c.kind + "s"};
    for (const auto& p : all)
        if (only.empty() || p[0] == only) c.programs.push_back(p);
    if (c.programs.empty()) {
        std::string names;
        for (const auto& p : all) names += (names.empty() ? "" : " ") + p[0];
        throw Failure{"chapter " + c.chapter + " has no " + c.kind + " '" + only + "'; it has: " + names};
    }
    return c;
}

int print_targets(const std::vector<std::string>& args) {
    for (const auto& p : chapter_programs(args).programs) std::cout << p[1] << "\n";
    return 0;
}

int run_programs(const std::string& caller, const std::vector<std::string>& args) {
    const ChapterPrograms c = chapter_programs(args);
    if (c.kind == "demo") {
        for (std::size_t i = 0; i < c.programs.size(); ++i) {
            if (i > 0) std::cout << "\n";
            std::vector<std::string> command = {c.programs[i][2]};
            command.insert(command.end(), c.options.begin(), c.options.end());
            // In the caller's folder: a file named in the options (--graph FILE) is where the user is.
            if (const int status = run(command, "", caller); status != 0) return status;
        }
        return 0;
    }
    const bool help = std::find(c.options.begin(), c.options.end(), "--help") != c.options.end();
    const std::string nn = (c.chapter.size() == 1 ? "ch0" : "ch") + c.chapter;
    const fs::path relative = fs::path("build") / c.preset / (c.preset == "reference" ? "experiments" : "figures") / nn;
    const fs::path figures = fs::absolute(relative);
    fs::create_directories(figures);
    int status = 0;
    for (const auto& p : c.programs) {
        if (help)
            std::cout << "\n./course experiment " << c.chapter << (c.preset == "reference" ? " --reference " : " ") << p[0]
                      << " [OPTIONS], with the options below (not [folder]: this tool writes into " << relative.string() << "):\n";
        std::vector<std::string> command = {p[2], figures.string()};
        command.insert(command.end(), c.options.begin(), c.options.end());
        if (const int s = run(command); s != 0) status = s;
    }
    if (status == 0 && !help) std::cout << "course: the figures and their data are in " << figures.string() << "\n";
    return status;
}

// ---- watch --------------------------------------------------------------------------------

volatile std::sig_atomic_t stop = 0;

struct Seen {
    std::string text;
    std::int64_t mtime_ns = 0;
    std::int64_t size = 0;
};

// Every .cpp file under exercises/, with its time and size (the text is read when it changed).
std::map<std::string, Seen> look(const std::map<std::string, Seen>& before) {
    std::map<std::string, Seen> now;
    std::error_code error;
    for (fs::recursive_directory_iterator it("exercises", error), end; !error && it != end; it.increment(error)) {
        if (!it->is_regular_file(error) || it->path().extension() != ".cpp") continue;
        const std::string name = it->path().generic_string();
        struct stat st {};
        if (stat(name.c_str(), &st) != 0) continue;
        Seen s{"", static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, st.st_size};
        const auto old = before.find(name);
        s.text =
            old != before.end() && old->second.mtime_ns == s.mtime_ns && old->second.size == s.size ? old->second.text : read_text(name);
        now[name] = s;
    }
    return now;
}

// The first line (1-based) at which two texts differ; 0 if they are the same.
int first_changed_line(const std::string& a, const std::string& b) {
    if (a == b) return 0;
    int line = 1;
    for (std::size_t i = 0; i < a.size() && i < b.size() && a[i] == b[i]; ++i)
        if (a[i] == '\n') ++line;
    return line;
}

// The exercise an edit of `file` touched: the region holding the first changed line; if the
// change is outside every region, the file's first exercise.
std::string edited_exercise(const std::vector<Exercise>& all, const std::string& file, int line) {
    if (const Exercise* e = exercise_at(all, file, line)) return e->id;
    const Exercise* first = nullptr;
    for (const Exercise& e : all)
        if (e.file == file && (!first || e.begin < first->begin)) first = &e;
    return first ? first->id : "";
}

std::string clock_time() {
    const std::time_t t = std::time(nullptr);
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", std::localtime(&t));
    return text;
}

int watch(const Options& o) {
    if (!o.words.empty() || !o.named.count("--course"))
        throw Usage{"usage: ./course watch (then save a file under exercises/; Ctrl-C stops)"};
    const std::string course = o.named.at("--course");
    struct sigaction action {};
    action.sa_handler = [](int) { stop = 1; };
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    std::cout << "course: watching exercises/ (Ctrl-C stops). Save an exercise file to check it." << '\n' << std::flush;
    std::map<std::string, Seen> seen = look({});
    while (!stop) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        if (stop) break;
        const std::map<std::string, Seen> now = look(seen);
        std::vector<std::string> gone, changed;
        for (const auto& [file, s] : seen)
            if (!now.count(file)) gone.push_back(file);
        for (const auto& [file, s] : now) {
            const auto old = seen.find(file);
            if (old == seen.end() || old->second.mtime_ns != s.mtime_ns || old->second.size != s.size) changed.push_back(file);
        }
        const std::map<std::string, Seen> before = seen;
        seen = now;
        // A file gone (deleted, renamed) comes first: the build names it and the ways back,
        // and that is all for this look.
        if (!gone.empty()) {
            std::cout << "\ncourse: " << gone.front() << " is gone: checking" << '\n' << std::flush;
            run({course, "check"});
            std::cout << "\ncourse: watching exercises/ (Ctrl-C stops)" << '\n' << std::flush;
            continue;
        }
        const std::vector<Exercise> all = read_manifest_if_built("build/student/exercises.tsv");  // none: check builds all
        for (const std::string& file : changed) {
            if (stop) break;
            const auto old = before.find(file);
            const int line = old == before.end() ? 1 : first_changed_line(old->second.text, now.at(file).text);
            if (line == 0) continue;  // saved unchanged
            const std::string id = all.empty() ? "" : edited_exercise(all, file, line);
            if (id.empty() && !all.empty()) continue;  // a file without exercises
            std::cout << "\ncourse: " << clock_time() << " " << file << " saved: checking "
                      << (id.empty() ? std::string("everything") : "exercise " + id) << '\n'
                      << std::flush;
            if (id.empty()) run({course, "check"});
            else run({course, "check", id});
            std::cout << "\ncourse: watching exercises/ (Ctrl-C stops)" << '\n' << std::flush;
        }
    }
    std::cout << "\ncourse: stopped watching" << '\n' << std::flush;
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string command = argc > 1 ? argv[1] : "";
    try {
        // These pass the experiments' options on untouched, so they read their own arguments.
        const std::vector<std::string> rest(argv + std::min(argc, 2), argv + argc);
        if (command == "targets") return print_targets(rest);
        if (command == "run") {
            if (rest.empty()) throw Usage{"usage: course_student run CALLER demo|experiment N ..."};
            return run_programs(rest[0], {rest.begin() + 1, rest.end()});
        }
        const Options o = parse(argc, argv, {"--course", "--preset", "--started", "--built", "--step"});
        if (command == "check") return check(o);
        if (command == "selftest") return selftest(o);
        if (command == "watch") return watch(o);
        if (command == "hint") return hint(o);
        if (command == "explain-build") return explain_build(o);
        throw Usage{"usage: course_student check|selftest|watch|hint|targets|run|explain-build ... (see tools/student.cpp)"};
    } catch (const Usage& u) {
        std::cerr << "course: " << u.message << "\n";
        return 2;
    } catch (const Failure& f) {
        std::cerr << "course: " << f.message << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "course: " << e.what() << "\n";
        return 1;
    }
}
