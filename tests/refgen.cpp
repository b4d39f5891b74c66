// refgen: computes every reference case with the library it is linked to (the solutions)
// and writes the results to tests/reference/chNN.txt, or checks them.
//
//   refgen write DIR      rewrite DIR/chNN.txt
//   refgen check DIR      exit 1 if DIR's data is missing or stale, has cases no test makes,
//                         or is not exactly what `refgen write DIR` would leave there
//
// The files must not depend on the machine that wrote them, yet another compiler or processor
// rounds the last bits differently (FMA, a vectorised exp, another order of additions). So
// `write` keeps each stored number that the new result agrees with, within the tolerance that
// `check` allows, and numbers are stored only to the precision the comparisons see
// (format_number): regenerating anywhere leaves the files as they are unless a result changed.
#include "check.hpp"
#include "reference_cases.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

using namespace bp_test;

namespace {

// How far a result may be from its stored value, relative to max(1, |stored|), for check to
// pass and for write to keep the stored value. Ten times tighter than the tests' own.
constexpr double refgen_tolerance = reference_tolerance / 10;

using Results = std::map<int, std::vector<std::pair<std::string, NamedList>>>;

bool near(double stored, double computed) { return std::abs(computed - stored) <= refgen_tolerance * std::max(1.0, std::abs(stored)); }

// The results as write stores them: each number the stored one agrees with becomes the stored
// one, so round-off differences between machines never change a file.
Results keeping_stored(Results results, const ReferenceData& stored) {
    for (auto& [chapter, cases] : results)
        for (auto& [key, outputs] : cases) {
            const auto it = stored.find(key);
            if (it == stored.end()) continue;
            for (Named& o : outputs)
                for (const Named& s : it->second)
                    if (s.name == o.name && s.value.rows() == o.value.rows() && s.value.cols() == o.value.cols())
                        for (bp::Index k = 0; k < o.value.size(); ++k)
                            if (near(s.value(k), o.value(k))) o.value(k) = s.value(k);
        }
    return results;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The first line where two texts differ, 1-based.
int first_different_line(const std::string& a, const std::string& b) {
    int line = 1;
    for (std::size_t i = 0; i < a.size() && i < b.size() && a[i] == b[i]; ++i) line += a[i] == '\n';
    return line;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string command = argc > 1 ? argv[1] : "";
    if (argc != 3 || (command != "write" && command != "check")) {
        std::cerr << "usage: refgen write|check DIR\n";
        return 2;
    }
    const std::filesystem::path dir = argv[2];
    Results by_chapter;
    try {
        for (const ReferenceCase& c : all_reference_cases())
            by_chapter[chapter_of(c.exercise)].emplace_back(reference_key(c), c.compute(c.inputs));
    } catch (const std::exception& e) {
        std::cerr << "refgen: a reference case failed on the solutions: " << e.what() << "\n";
        return 1;
    }

    ReferenceData stored;
    try {
        stored = read_reference_data(dir);
    } catch (const std::exception& e) {
        if (command == "check") {
            std::cerr << "refgen check: " << e.what() << "\n";
            return 1;
        }
        std::cerr << "refgen: the stored data is unreadable (" << e.what() << "); writing it afresh\n";
    }

    if (command == "write") {
        std::filesystem::create_directories(dir);
        for (const auto& [chapter, results] : keeping_stored(by_chapter, stored)) {
            const auto path = reference_file(dir, chapter);
            const std::string text = format_reference_data(chapter, results);
            if (read_file(path) == text) {
                std::cout << "refgen: " << path.string() << " is unchanged (" << results.size() << " cases)\n";
                continue;
            }
            std::ofstream(path) << text;
            std::cout << "refgen: wrote " << results.size() << " cases to " << path.string() << "\n";
        }
        return 0;
    }

    // Compare numbers first: a result beyond the tolerance is stale data (or a changed solution).
    int problems = 0, cases = 0;
    for (const auto& [chapter, results] : by_chapter)
        for (const auto& [key, outputs] : results) {
            ++cases;
            const auto it = stored.find(key);
            if (it == stored.end()) {
                std::cerr << "refgen check: case '" << key << "' has no stored result\n";
                ++problems;
                continue;
            }
            for (const Named& o : outputs) {
                const auto same = std::find_if(it->second.begin(), it->second.end(), [&](const Named& s) { return s.name == o.name; });
                const auto agree = same == it->second.end() ? ::testing::AssertionFailure() << "missing"
                                                            : matrices_near(o.name, same->value, o.value, refgen_tolerance);
                if (!agree) {
                    std::cerr << "refgen check: case '" << key << "', output " << o.name << ": " << agree.message() << "\n";
                    ++problems;
                }
            }
        }
    if (stored.size() != static_cast<std::size_t>(cases)) {
        std::cerr << "refgen check: " << dir.string() << " holds " << stored.size() << " cases but the tests define " << cases << "\n";
        ++problems;
    }
    // Then the text: what write would leave, so that ./course generate makes no diff here.
    if (problems == 0)
        for (const auto& [chapter, results] : keeping_stored(by_chapter, stored)) {
            const auto path = reference_file(dir, chapter);
            const std::string want = format_reference_data(chapter, results), have = read_file(path);
            if (want != have) {
                std::cerr << "refgen check: " << path.string() << ":" << first_different_line(want, have)
                          << " is not written as refgen writes it\n";
                ++problems;
            }
        }
    if (problems) {
        std::cerr << "refgen check: the reference data is stale; run ./course generate\n";
        return 1;
    }
    std::cout << "refgen check: " << cases << " reference cases match the solutions\n";
    return 0;
}
