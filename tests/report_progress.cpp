// The student's progress (course_tests --progress, which ./course check prints): a row per
// exercise, one exercise or chapter in full, and what to do next.
#include "report.hpp"
#include "report_files.hpp"

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <set>
#include <unistd.h>
#include <vector>

namespace bp_test {

using namespace report;

namespace {

bool colour() {
    static const bool on = isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
    return on;
}
std::string paint(const std::string& text, const char* code) {
    return colour() ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
}

std::string badge(const std::string& state) {
    if (state == "done") return paint("  done ", "32");
    if (state == "fail") return paint("  FAIL ", "31;1");
    if (state == "crashed") return paint(" CRASH ", "31;1");
    if (state == "waiting") return paint("waiting", "33");
    if (state == "todo") return paint("  todo ", "2");
    return paint("not run", "2");
}

std::string join(const std::set<std::string>& ids) {
    std::string out;
    for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
    return out;
}

std::string detail(const Exercise& e) {
    const std::string state = e.state();
    const int n = static_cast<int>(e.tests.size());
    if (state == "fail") return std::to_string(e.count("fail")) + " of " + std::to_string(n) + " tests fail";
    if (state == "crashed") return "crashed";
    if (state == "waiting") return "needs exercise " + join(e.blockers()) + " first";
    if (state == "done") return std::to_string(n) + " tests pass";
    return "";
}

void print_where(const Exercise& e) {
    std::cout << "  Read   " << e.read << "\n"
              << "  Write  " << e.file << ", line " << e.begin << ", between BEGIN and END EXERCISE " << e.id << "\n"
              << "  Check  ./course check " << e.id << "\n";
}

// Every test of one exercise, each failure in full, and what to do next.
void print_exercise_in_full(const Exercise& e, const std::vector<Exercise>& all) {
    std::cout << badge(e.state()) << "  " << e.id << "  " << e.hint << "\n";
    // The first failure in full (cut to a screen), the others by their first line: the first is
    // the one to fix, and fixing it often fixes the rest.
    bool shown_one = false;
    for (const TestOutcome& t : e.tests) {
        std::cout << "      " << pad(t.status == "pass" ? "pass" : t.status, 8) << t.suite << "." << t.name << "\n";
        if (t.status != "fail" && t.status != "crashed") continue;
        if (!shown_one)
            std::cout << indent(cut_lines(t.message, max_failure_lines,
                                          "all of it with ctest --test-dir build/student -R '^ex" + e.id + "$' --output-on-failure"),
                                "          ")
                      << "\n";
        else std::cout << "          " << telling_line(t.message) << "\n";
        shown_one = true;
    }
    const auto stub =
        std::find_if(e.tests.begin(), e.tests.end(), [](const TestOutcome& t) { return t.status == "todo" || t.status == "waiting"; });
    if (stub != e.tests.end() && !e.count("fail")) std::cout << indent(stub->message, "      ") << "\n";
    if (e.state() == "waiting") {
        // What stands in the way is another exercise: point there.
        for (const std::string& id : e.blockers())
            if (const Exercise* b = find_exercise(all, id)) {
                std::cout << "\nExercise " << e.id << " calls exercise " << id << ", which is not written yet:\n";
                print_where(*b);
            }
        return;
    }
    if (e.state() != "done") {
        std::string earlier;
        for (const Exercise& x : all) {
            if (x.id == e.id) break;
            if (x.chapter == e.chapter && x.state() != "done") earlier += (earlier.empty() ? "" : ", ") + x.id;
        }
        if (!earlier.empty() && e.count("fail"))
            std::cout << "  (Not done yet in this chapter: " << earlier << ". If exercise " << e.id
                      << " calls one of them, a mistake there shows up here too.)\n";
        print_where(e);
        return;
    }
    // The next exercise after this one that is not done (one not run counts as not done).
    const auto self = std::find_if(all.begin(), all.end(), [&](const Exercise& x) { return x.id == e.id; });
    auto next = std::find_if(self, all.end(), [](const Exercise& x) { return x.state() != "done"; });
    if (next == all.end()) next = std::find_if(all.begin(), all.end(), [](const Exercise& x) { return x.state() != "done"; });
    if (next != all.end()) std::cout << "\nNext: exercise " << next->id << ": " << next->hint << "  (./course check " << next->id << ")\n";
}

// A line of the progress table, without trailing spaces.
void print_row(const Exercise& e) {
    std::string row = badge(e.state()) + "  " + pad(e.id, 5) + " " + pad(e.hint, 66) + " " + detail(e);
    while (!row.empty() && row.back() == ' ') row.pop_back();
    std::cout << row << "\n";
}

bool selected(const Exercise& e, const std::string& only) { return only.empty() || e.id == only || e.chapter == only; }

}  // namespace

int print_progress(const std::filesystem::path& manifest, const std::filesystem::path& reports, const std::string& only) {
    std::vector<TestOutcome> library;
    const std::vector<Exercise> exercises = load(manifest, reports, &library);
    if (!only.empty()) {  // a chapter's own library checks: suites Ch01..., Ch02...
        const std::string prefix = std::string(only.size() == 1 ? "Ch0" : "Ch") + only;
        library.erase(std::remove_if(library.begin(), library.end(), [&](const TestOutcome& t) { return t.suite.rfind(prefix, 0) != 0; }),
                      library.end());
    }
    if (!only.empty() && std::none_of(exercises.begin(), exercises.end(), [&](const Exercise& e) { return selected(e, only); })) {
        std::cout << "There is no exercise or chapter '" << only << "'. Exercises are named like 1.3; chapters like 1.\n";
        return 2;
    }
    int shown = 0, done = 0, status = progress_ok;
    std::string chapter;
    for (const Exercise& e : exercises) {
        if (!selected(e, only)) continue;
        if (e.chapter != chapter) {
            chapter = e.chapter;
            const auto in_chapter =
                std::count_if(exercises.begin(), exercises.end(), [&](const Exercise& x) { return x.chapter == chapter; });
            const auto done_in_chapter = std::count_if(exercises.begin(), exercises.end(),
                                                       [&](const Exercise& x) { return x.chapter == chapter && x.state() == "done"; });
            std::cout << "\n" << paint(pad(e.chapter_title, 60), "1") << done_in_chapter << " of " << in_chapter << " done\n";
        }
        ++shown;
        if (e.state() == "done") ++done;
        if (only == e.id) print_exercise_in_full(e, exercises);
        else print_row(e);
    }
    if (only.empty() || only.find('.') == std::string::npos) {
        // Library checks that stop at a stub are waiting for exercises, not failing.
        const auto count = [&](const char* wanted) {
            return std::count_if(library.begin(), library.end(), [&](const TestOutcome& t) { return t.status == wanted; });
        };
        const auto waiting = count("todo") + count("waiting");
        std::cout << "\n" << done << " of " << shown << " exercises done";
        if (!library.empty())
            std::cout << "; library checks (shape errors and the parts of lib/ you do not write): " << count("pass") << " of "
                      << library.size() << " pass" << (waiting ? ", " + std::to_string(waiting) + " wait for exercises" : "");
        std::cout << ".\n";
        for (const TestOutcome& t : library)
            if (t.status == "fail" || t.status == "crashed") status |= progress_library_fails;
        for (const TestOutcome& t : library)
            if (t.status == "fail" || t.status == "crashed")
                std::cout << "  library check " << t.suite << "." << t.name << " fails:\n" << indent(t.message, "      ") << "\n";
        const auto next =
            std::find_if(exercises.begin(), exercises.end(), [&](const Exercise& e) { return selected(e, only) && e.state() != "done"; });
        if (next != exercises.end()) {
            std::cout << "\nNext: exercise " << next->id << ": " << next->hint << "\n";
            print_where(*next);
            for (const TestOutcome& t : next->tests)
                if (t.status == "fail" || t.status == "crashed") {
                    std::cout << "  First failure, " << t.suite << "." << t.name << ":\n"
                              << indent(cut_lines(t.message, max_failure_lines), "      ") << "\n";
                    break;
                }
        } else if (shown && (status & progress_library_fails)) {
            // Library checks call the exercises too: all of them passing their own tests is not all done.
            std::cout << "\nEvery exercise here passes its tests, but the library checks above fail: they run your\n"
                         "code too, so one of your exercises can still be wrong in a way its own tests miss. Read them first.\n";
        } else if (shown) {
            std::cout << "\nEverything here is done. Well done!\n";
        }
    }
    if (done < shown) status |= progress_not_done;
    return status;
}

}  // namespace bp_test
