// refgen: computes every reference case with the library it is linked to (the solutions)
// and writes the results to tests/reference/chNN.txt, or with --check compares them.
//
//   refgen write DIR      rewrite DIR/chNN.txt
//   refgen check DIR      exit 1 if DIR's data is missing, stale or has cases no test makes
#include "check.hpp"
#include "reference_cases.hpp"

#include <fstream>
#include <iostream>
#include <map>

using namespace bp_test;

int main(int argc, char** argv) {
    const std::string command = argc > 1 ? argv[1] : "";
    if (argc != 3 || (command != "write" && command != "check")) {
        std::cerr << "usage: refgen write|check DIR\n";
        return 2;
    }
    const std::filesystem::path dir = argv[2];
    std::map<int, std::vector<std::pair<std::string, NamedList>>> by_chapter;
    try {
        for (const ReferenceCase& c : all_reference_cases())
            by_chapter[chapter_of(c.exercise)].emplace_back(reference_key(c), c.compute(c.inputs));
    } catch (const std::exception& e) {
        std::cerr << "refgen: a reference case failed on the solutions: " << e.what() << "\n";
        return 1;
    }

    if (command == "write") {
        for (const auto& [chapter, results] : by_chapter) {
            const auto path = reference_file(dir, chapter);
            std::ofstream(path) << format_reference_data(chapter, results);
            std::cout << "refgen: wrote " << results.size() << " cases to " << path.string() << "\n";
        }
        return 0;
    }

    // Compare numbers, not text: another compiler may round the last bit differently.
    const ReferenceData stored = read_reference_data(dir);
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
                const auto near = same == it->second.end() ? ::testing::AssertionFailure() << "missing"
                                                           : matrices_near(o.name, same->value, o.value, 1e-10);
                if (!near) {
                    std::cerr << "refgen check: case '" << key << "', output " << o.name << ": " << near.message() << "\n";
                    ++problems;
                }
            }
        }
    if (stored.size() != static_cast<std::size_t>(cases)) {
        std::cerr << "refgen check: " << dir.string() << " holds " << stored.size() << " cases but the tests define " << cases << "\n";
        ++problems;
    }
    if (problems) {
        std::cerr << "refgen check: the reference data is stale; run ./course generate\n";
        return 1;
    }
    std::cout << "refgen check: " << cases << " reference cases match the solutions\n";
    return 0;
}
